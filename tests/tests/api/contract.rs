//! The API contract (issue 11): every route names the types it takes and answers, and the
//! document generated from them says what a client needs to call it.

use portal_api::openapi;
use portal_api::routes::{self, Area};
use serde_json::Value;

#[test]
fn every_route_of_the_table_has_request_and_response_types() {
    let untyped: Vec<String> = routes::all()
        .filter_map(|route| {
            openapi::untyped(route).map(|why| format!("{} {} ({}): {why}", route.method, route.path, route.function))
        })
        .collect();
    assert!(untyped.is_empty(), "routes without types:\n{}", untyped.join("\n"));
}

#[test]
fn each_area_lists_only_its_own_routes() {
    for area in Area::ALL {
        for route in area.routes() {
            assert_eq!(route.area, *area, "{} is listed under {area:?}", route.function);
        }
    }
}

fn document() -> Value {
    serde_json::to_value(openapi::document()).expect("the document is JSON")
}

/// The copy of the document the web app generates its types from.
const COMMITTED: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../frontend/openapi.json");

/// The document as it is committed: pretty-printed, every object's keys sorted (serde_json
/// keeps insertion order when a dependency enables `preserve_order`, so the order is made, not
/// assumed), and a final newline.
fn committed_text() -> String {
    let mut document = document();
    document.sort_all_objects();
    let mut text = serde_json::to_string_pretty(&document).expect("the document is JSON");
    text.push('\n');
    text
}

/// The web app's types are generated from `frontend/openapi.json` (`npm run gen:api`), so that
/// copy must be the document the API serves. `UPDATE_CONTRACT=1` rewrites it instead of failing.
#[test]
fn the_web_apps_copy_of_the_document_is_the_generated_one() {
    let generated = committed_text();
    if std::env::var_os("UPDATE_CONTRACT").is_some() {
        std::fs::write(COMMITTED, &generated).expect("frontend/openapi.json is writable");
        return;
    }
    let committed = std::fs::read_to_string(COMMITTED).unwrap_or_default();
    assert!(
        committed == generated,
        "frontend/openapi.json is not the document the API serves: refresh it with \
         `UPDATE_CONTRACT=1 cargo nextest run -p portal-tests contract`, then `cd frontend && npm run gen:api`"
    );
}

/// Every `$ref` of the document names something the document defines.
#[test]
fn every_reference_of_the_document_resolves() {
    fn walk(value: &Value, document: &Value, broken: &mut Vec<String>) {
        match value {
            Value::Object(fields) => {
                if let Some(Value::String(reference)) = fields.get("$ref") {
                    let pointer = reference.strip_prefix('#').unwrap_or(reference);
                    if document.pointer(pointer).is_none() {
                        broken.push(reference.clone());
                    }
                }
                fields.values().for_each(|v| walk(v, document, broken));
            }
            Value::Array(items) => items.iter().for_each(|v| walk(v, document, broken)),
            _ => {}
        }
    }
    let document = document();
    let mut broken = Vec::new();
    walk(&document, &document, &mut broken);
    assert!(broken.is_empty(), "references to nothing: {broken:?}");
}

/// Bodies are closed (C3): every request body schema refuses unknown properties, as the
/// handlers do.
#[test]
fn c3_request_bodies_refuse_unknown_fields_in_the_schema_too() {
    let document = document();
    for (path, methods) in document["paths"].as_object().expect("paths") {
        for (method, operation) in methods.as_object().expect("methods") {
            let Some(schema) = operation.pointer("/requestBody/content/application~1json/schema") else { continue };
            // The one exception: the payment processor's events, whose fields are Stripe's to
            // add, trusted by their signature rather than their shape.
            let signed_by_processor = operation["parameters"].as_array().is_some_and(|parameters| {
                parameters
                    .iter()
                    .any(|p| p["in"] == "header" && p["name"] == portal_domain::payments::signature::HEADER)
            });
            if signed_by_processor {
                continue;
            }
            let schema = match schema["$ref"].as_str() {
                Some(reference) => document.pointer(reference.trim_start_matches('#')).expect("defined"),
                None => schema,
            };
            assert_eq!(schema["additionalProperties"], Value::Bool(false), "{method} {path} accepts unknown fields");
        }
    }
}

/// Problems say when to retry, and 409s carry the version to reload.
#[test]
fn problem_answers_are_described_with_their_headers_and_fields() {
    let document = document();
    let responses = &document["components"]["responses"];
    for name in ["TooManyRequests", "Unavailable"] {
        assert_eq!(responses[name]["headers"]["Retry-After"]["required"], true, "{name}");
    }
    let problem = &document["components"]["schemas"]["Problem"]["properties"];
    for field in ["type", "title", "status", "errors", "currentVersion", "requestId"] {
        assert!(problem.get(field).is_some(), "the problem schema lacks {field}");
    }
    let field_error = &document["components"]["schemas"]["FieldError"];
    assert_eq!(field_error["required"], serde_json::json!(["field", "code"]));
}
