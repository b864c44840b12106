//! The OpenAPI 3.1 document, generated from the route table and the contract's types, so it
//! cannot drift from what is served: each operation's parameters, body and answers come from the
//! types its handler takes and returns, their schemas derived by schemars, and the problems it
//! can answer from its method, its authorization and its contract.

use schemars::generate::SchemaSettings;
use schemars::{Schema, SchemaGenerator};
use serde_json::{Map, Value, json};

use crate::contract::system::OpenApiDocument;
use crate::contract::{Body, SchemaFn, Success};
use crate::problem::Problem;
use crate::routes::{self, Area, Auth, Route};

/// Name of the bearer-token security scheme.
const SECURITY_SCHEME: &str = "cognitoJwt";
/// Where schemas live in the document.
const SCHEMAS: &str = "/components/schemas";

/// The problem statuses, each with the component that describes it.
const PROBLEMS: &[(u16, &str, &str)] = &[
    (400, "BadRequest", "The request is not valid: `errors` names each field (body, path or query parameter)"),
    (401, "Unauthenticated", "No valid access token, or the credentials or sign-in session are not valid"),
    (403, "Forbidden", "Not allowed: not an officer, or the account's state does not allow it yet"),
    (404, "NotFound", "No such resource, or not one the caller may see"),
    (
        409,
        "Conflict",
        "It changed since it was read (`currentVersion` is the version to reload), a concurrent request won, \
         or its state does not allow this",
    ),
    (413, "PayloadTooLarge", "The request body is larger than the route accepts"),
    (415, "UnsupportedMediaType", "The body is not sent as `application/json`"),
    (422, "Incomplete", "Not complete enough for this: `errors` lists what is missing"),
    (429, "TooManyRequests", "Too many requests or attempts: retry after `Retry-After` seconds"),
    (503, "Unavailable", "Briefly overloaded: retry after `Retry-After` seconds"),
];

/// Statuses after which a client is told when to retry.
const RETRY_AFTER: &[u16] = &[429, 503];

/// The OpenAPI 3.1 document of every route.
pub fn document() -> OpenApiDocument {
    // Requests are described as they are read, answers as they are written (an optional field
    // a handler always writes is required in an answer).
    let mut requests = generator(SchemaSettings::draft2020_12().for_deserialize());
    let mut answers = generator(SchemaSettings::draft2020_12().for_serialize());
    let problem = answers.subschema_for::<Problem>();
    let mut paths = Map::new();
    for route in routes::all() {
        let operation = operation(route, &mut requests, &mut answers);
        if let Value::Object(methods) = paths.entry(route.path).or_insert_with(|| json!({})) {
            methods.insert(route.method.as_str().to_lowercase(), operation);
        }
    }
    let mut schemas = requests.take_definitions(true);
    for (name, schema) in answers.take_definitions(true) {
        let earlier = schemas.insert(name.clone(), schema.clone());
        // One name, one shape: a type read and written alike, or it needs two names.
        assert!(earlier.is_none_or(|earlier| earlier == schema), "schema {name} differs between requests and answers");
    }
    let responses: Map<String, Value> = PROBLEMS
        .iter()
        .map(|&(status, name, description)| {
            let mut response = json!({
                "description": description,
                "content": {crate::problem::PROBLEM_JSON: {"schema": problem.clone()}},
            });
            if RETRY_AFTER.contains(&status) {
                response["headers"] = json!({"Retry-After": {
                    "description": "Seconds to wait before trying again",
                    "required": true,
                    "schema": {"type": "integer", "minimum": 0},
                }});
            }
            (name.to_owned(), response)
        })
        .collect();
    let object = |value: Value| match value {
        Value::Object(fields) => fields,
        _ => Map::new(),
    };
    OpenApiDocument {
        openapi: "3.1.0".into(),
        info: object(json!({
            "title": "Applicant portal API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Errors are RFC 9457 problem details in the language of `Accept-Language` (en or fr).",
        })),
        paths,
        components: object(json!({
            "securitySchemes": {SECURITY_SCHEME: {
                "type": "http",
                "scheme": "bearer",
                "bearerFormat": "JWT",
                "description": "The access token from signing in (Cognito in AWS, the portal's own in local mode)",
            }},
            "responses": responses,
            "schemas": schemas,
        })),
    }
}

fn generator(settings: SchemaSettings) -> SchemaGenerator {
    settings
        .with(|settings| {
            settings.definitions_path = SCHEMAS.into();
            settings.meta_schema = None;
        })
        .into_generator()
}

fn operation(route: &Route, requests: &mut SchemaGenerator, answers: &mut SchemaGenerator) -> Value {
    let contract = &route.contract;
    let mut parameters = Vec::new();
    if let Some(path) = contract.path {
        parameters.extend(path_parameters(route, path, requests));
    }
    if let Some(query) = contract.query {
        parameters.extend(query_parameters(query, requests));
    }
    if let Some(cookie) = contract.cookie {
        parameters.push(
            json!({"name": cookie.name, "in": "cookie", "required": cookie.required, "schema": {"type": "string"}}),
        );
    }
    if let Some((name, schema)) = contract.header {
        parameters.push(json!({"name": name, "in": "header", "required": true, "schema": schema(requests)}));
    }
    let mut responses = Map::new();
    match contract.success {
        Success::Json(status, schema) => {
            responses.insert(
                status.to_string(),
                json!({"description": "Success", "content": {"application/json": {"schema": schema(answers)}}}),
            );
        }
        Success::File(status, media_type) => {
            // OpenAPI 3.1: a body that is not JSON is described by its media type alone.
            responses.insert(status.to_string(), json!({"description": "Success", "content": {media_type: {}}}));
        }
        Success::Empty(status) => {
            responses.insert(status.to_string(), json!({"description": "Success, with no content"}));
        }
    }
    for status in problem_statuses(route) {
        let name = PROBLEMS.iter().find(|(known, ..)| *known == status).map(|(_, name, _)| *name);
        let name =
            name.unwrap_or_else(|| panic!("{} answers {status}, which has no problem component", route.function));
        responses.insert(status.to_string(), json!({"$ref": format!("#/components/responses/{name}")}));
    }
    let mut operation = json!({
        "operationId": route.function,
        "summary": route.summary,
        "tags": [format!("{:?}", route.area)],
        "parameters": parameters,
        "security": match route.auth {
            Auth::Public => json!([]),
            Auth::User | Auth::Officer => json!([{ SECURITY_SCHEME: [] }]),
        },
        "responses": responses,
    });
    if let Body::Json(schema) = contract.body {
        operation["requestBody"] =
            json!({"required": true, "content": {"application/json": {"schema": schema(requests)}}});
    }
    operation
}

/// Every problem status a route can answer, in order.
fn problem_statuses(route: &Route) -> Vec<u16> {
    let contract = &route.contract;
    let mut statuses = contract.problems.to_vec();
    let has_body = matches!(contract.body, Body::Json(_));
    if has_body || contract.path.is_some() || contract.query.is_some() {
        statuses.push(400);
    }
    if route.auth != Auth::Public {
        statuses.push(401);
    }
    if route.auth == Auth::Officer {
        statuses.push(403);
    }
    if contract.path.is_some() {
        statuses.push(404);
    }
    if has_body {
        statuses.extend([413, 415]);
    }
    // Everything past the system area reads the store (503 when it throttles) and is throttled
    // at the edge (429).
    if route.area != Area::System {
        statuses.extend([429, 503]);
    }
    statuses.sort_unstable();
    statuses.dedup();
    statuses
}

/// The path parameters: one per `{name}` of the template, typed by the contract's path type (a
/// tuple gives them in order).
fn path_parameters(route: &Route, path: SchemaFn, generator: &mut SchemaGenerator) -> Vec<Value> {
    let schema = path(generator);
    let names: Vec<&str> = route
        .path
        .split('/')
        .filter_map(|segment| segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
        .collect();
    let schemas: Vec<Value> = match schema.get("prefixItems").and_then(Value::as_array) {
        Some(items) => items.clone(),
        None => vec![schema.to_value()],
    };
    assert_eq!(names.len(), schemas.len(), "{}: path parameters and their types differ in number", route.function);
    names
        .into_iter()
        .zip(schemas)
        .map(|(name, schema)| json!({"name": name, "in": "path", "required": true, "schema": schema}))
        .collect()
}

/// The query parameters: the properties of the contract's query type.
fn query_parameters(query: SchemaFn, generator: &mut SchemaGenerator) -> Vec<Value> {
    let schema = resolve(query(generator), generator);
    let required: Vec<&str> = schema
        .get("required")
        .and_then(Value::as_array)
        .map(|names| names.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let properties = schema.get("properties").and_then(Value::as_object).cloned().unwrap_or_default();
    // By name: serde_json's map keeps insertion order only where a dependency turns on
    // `preserve_order`, and the document must read the same from every build.
    let mut properties: Vec<(String, Value)> = properties.into_iter().collect();
    properties.sort_by(|(a, _), (b, _)| a.cmp(b));
    properties
        .into_iter()
        .map(|(name, mut schema)| {
            let description = schema.as_object_mut().and_then(|fields| fields.remove("description"));
            // A query string cannot carry `null`: a parameter left out is one not required.
            if let Some(Value::Array(types)) = schema.get_mut("type") {
                types.retain(|kind| kind != "null");
                if let [only] = types.as_slice() {
                    schema["type"] = only.clone();
                }
            }
            let mut parameter = json!({
                "name": name,
                "in": "query",
                "required": required.contains(&name.as_str()),
                "schema": schema,
            });
            if let Some(description) = description {
                parameter["description"] = description;
            }
            parameter
        })
        .collect()
}

/// A schema with a top-level reference replaced by what it names.
fn resolve(schema: Schema, generator: &SchemaGenerator) -> Schema {
    let name = schema.get("$ref").and_then(Value::as_str).and_then(|r| r.strip_prefix("#/components/schemas/"));
    match name.and_then(|name| generator.definitions().get(name)) {
        Some(definition) => Schema::try_from(definition.clone()).unwrap_or(schema),
        None => schema,
    }
}

/// Whether a route's contract names types for everything it takes and answers: a route that
/// does not is one the document would describe as "anything".
pub fn untyped(route: &Route) -> Option<&'static str> {
    let any = |schema: SchemaFn| {
        let mut generator = SchemaGenerator::default();
        let schema = schema(&mut generator);
        schema.as_bool() == Some(true) || schema.as_object().is_some_and(|fields| fields.is_empty())
    };
    let takes_body = !matches!(route.method.as_str(), "GET" | "DELETE");
    match (route.contract.body, route.contract.success) {
        (Body::Undeclared, _) if takes_body => Some("its request body is not declared"),
        (Body::Json(schema), _) if any(schema) => Some("its request body has no type"),
        (_, Success::Json(_, schema)) if any(schema) => Some("its answer has no type"),
        _ if route.path.contains('{') && route.contract.path.is_none() => Some("its path parameters have no type"),
        _ => None,
    }
}
