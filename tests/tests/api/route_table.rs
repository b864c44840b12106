//! The route table is the source of truth: `template.yaml`, the served OpenAPI document and the
//! routers must all agree with it.

use std::collections::BTreeSet;

use portal_api::routes::{self, Area, Auth};
use portal_tests::spawn_app;
use serde_json::Value;
use serde_yaml::Value as Yaml;

/// (function, method, path, public, binary) for every route.
type RouteFacts = BTreeSet<(String, String, String, bool, String)>;

fn table_facts() -> RouteFacts {
    routes::all()
        .map(|r| {
            (
                r.function.to_owned(),
                r.method.to_string(),
                r.path.to_owned(),
                r.auth == Auth::Public,
                r.area.binary().to_owned(),
            )
        })
        .collect()
}

fn template_facts() -> RouteFacts {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../template.yaml");
    let template: Yaml = serde_yaml::from_str(&std::fs::read_to_string(path).expect("template")).expect("yaml");
    let mut facts = RouteFacts::new();
    for (id, resource) in template["Resources"].as_mapping().expect("resources") {
        if resource["Type"].as_str() != Some("AWS::Serverless::Function") {
            continue;
        }
        let id = id.as_str().expect("logical id");
        for event in resource["Properties"]["Events"].as_mapping().into_iter().flat_map(|m| m.values()) {
            if event["Type"].as_str() != Some("HttpApi") {
                continue;
            }
            let properties = &event["Properties"];
            let function = id.strip_suffix("Function").expect("route functions are named {function}Function");
            facts.insert((
                function.to_owned(),
                properties["Method"].as_str().expect("method").to_uppercase(),
                properties["Path"].as_str().expect("path").to_owned(),
                properties["Auth"]["Authorizer"].as_str() == Some("NONE"),
                crate::template::binary(resource),
            ));
        }
    }
    facts
}

#[test]
fn template_declares_exactly_the_route_table() {
    assert_eq!(template_facts(), table_facts());
}

#[test]
fn every_area_has_a_binary_in_the_template() {
    let binaries: BTreeSet<String> = template_facts().into_iter().map(|f| f.4).collect();
    let areas: BTreeSet<String> = Area::ALL.iter().map(|a| a.binary().to_owned()).collect();
    assert_eq!(binaries, areas);
}

#[tokio::test]
async fn openapi_document_describes_exactly_the_route_table() {
    let app = spawn_app().await;

    let document: Value = app.get("/api/openapi.json", None).await.json().await.expect("json");

    let mut described = BTreeSet::new();
    for (path, methods) in document["paths"].as_object().expect("paths") {
        for (method, operation) in methods.as_object().expect("methods") {
            let public = operation["security"].as_array().is_some_and(Vec::is_empty);
            described.insert((
                operation["operationId"].as_str().expect("id").to_owned(),
                method.to_uppercase(),
                path.clone(),
                public,
            ));
        }
    }
    let expected: BTreeSet<_> = table_facts().into_iter().map(|(f, m, p, public, _)| (f, m, p, public)).collect();
    assert_eq!(described, expected);
}

#[tokio::test]
async fn the_portal_serves_every_route_of_the_table() {
    let app = spawn_app().await;
    let token = app.access_token("route-checker", &["officers"]);

    for route in routes::all() {
        let path =
            route.path.split('/').map(|s| if s.starts_with('{') { "x" } else { s }).collect::<Vec<_>>().join("/");
        let request = app.client.request(route.method.clone(), app.url(&path));
        let without_token = request.try_clone().expect("clone").send().await.expect("request");
        let with_token = request.bearer_auth(&token).send().await.expect("request");

        // Signed-in routes are closed to anonymous callers; every route is served either way (a
        // route with path parameters may answer 404 for the placeholder id; none may be 405).
        if route.auth != Auth::Public {
            assert_eq!(without_token.status(), 401, "{} {} lets anonymous callers in", route.method, route.path);
        }
        let not_served: &[u16] = if route.path.contains('{') { &[405] } else { &[404, 405] };
        let served_response = if route.auth == Auth::Public { &without_token } else { &with_token };
        assert!(
            !not_served.contains(&served_response.status().as_u16()),
            "{} {} is not served: {}",
            route.method,
            route.path,
            served_response.status()
        );
    }
}
