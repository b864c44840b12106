//! The OpenAPI document, generated from the route table so it cannot drift from what is served.

use serde_json::{Map, Value, json};

use crate::routes::{Auth, ROUTES};

/// Name of the bearer-token security scheme.
const SECURITY_SCHEME: &str = "cognitoJwt";

/// The OpenAPI 3.1 document of every route.
pub fn document() -> Value {
    let mut paths = Map::new();
    for route in ROUTES {
        let parameters: Vec<Value> = route
            .path
            .split('/')
            .filter_map(|segment| segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
            .map(|name| json!({"name": name, "in": "path", "required": true, "schema": {"type": "string"}}))
            .collect();
        let mut responses = Map::new();
        responses.insert("200".into(), json!({"description": "Success", "content": {"application/json": {}}}));
        if route.auth != Auth::Public {
            responses.insert("401".into(), json!({"$ref": "#/components/responses/Problem"}));
        }
        if route.auth == Auth::Officer {
            responses.insert("403".into(), json!({"$ref": "#/components/responses/Problem"}));
        }
        responses.insert("default".into(), json!({"$ref": "#/components/responses/Problem"}));
        let security = match route.auth {
            Auth::Public => json!([]),
            Auth::User | Auth::Officer => json!([{ SECURITY_SCHEME: [] }]),
        };
        let operation = json!({
            "operationId": route.function,
            "summary": route.summary,
            "parameters": parameters,
            "security": security,
            "responses": responses,
        });
        let entry = paths.entry(route.path).or_insert_with(|| json!({}));
        if let Value::Object(methods) = entry {
            methods.insert(route.method.as_str().to_lowercase(), operation);
        }
    }
    json!({
        "openapi": "3.1.0",
        "info": {"title": "Applicant portal API", "version": env!("CARGO_PKG_VERSION")},
        "paths": paths,
        "components": {
            "securitySchemes": {SECURITY_SCHEME: {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}},
            "responses": {"Problem": {
                "description": "An error, as RFC 9457 problem details",
                "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
            }},
            "schemas": {"Problem": {
                "type": "object",
                "required": ["type", "title", "status"],
                "properties": {
                    "type": {"type": "string"},
                    "title": {"type": "string"},
                    "status": {"type": "integer"},
                    "requestId": {"type": "string"}
                }
            }}
        }
    })
}
