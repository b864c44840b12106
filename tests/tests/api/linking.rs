//! Linking a paper application to an account: the admin CLI imports it, the applicant links it
//! with what is printed on it; wrong details give nothing away and are limited (A3).

use portal_admin::Command;
use portal_tests::{TestApp, spawn_app_in};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::admin::admin;

async fn with_paper_application() -> TestApp {
    let folder = tempfile::tempdir().expect("temp dir");
    let said = admin(
        &folder,
        Command::ImportPaperApplication {
            type_code: "work-permit".into(),
            number: "W123456789".into(),
            family_name: "Nguyen".into(),
            date_of_birth: "1985-03-14".into(),
            status: "in_review".into(),
        },
    )
    .await;
    assert!(said.contains("W123456789"));
    spawn_app_in(folder).await
}

async fn link(app: &TestApp, token: &str, number: &str, family_name: &str, date_of_birth: &str) -> reqwest::Response {
    app.client
        .post(app.url("/api/applications/link"))
        .bearer_auth(token)
        .json(&json!({"applicationNumber": number, "familyName": family_name, "dateOfBirth": date_of_birth}))
        .send()
        .await
        .expect("request")
}

#[tokio::test]
async fn a_paper_application_is_linked_with_its_number_name_and_birth_date() {
    let app = with_paper_application().await;
    let applicant = app.access_token("applicant-1", &[]);

    let linked = link(&app, &applicant, "w123456789", "  nguyen ", "1985-03-14").await;

    assert_eq!(linked.status(), StatusCode::OK);
    let application: Value = linked.json().await.expect("json");
    assert_eq!(application["status"], "in_review");
    let mut dashboard: Value =
        app.get("/api/applications", Some(&applicant)).await.json::<Value>().await.expect("json");
    let dashboard = dashboard["items"].take();
    assert_eq!(dashboard[0]["number"], "W123456789");
    let someone_else = app.access_token("applicant-2", &[]);
    let again = link(&app, &someone_else, "W123456789", "Nguyen", "1985-03-14").await;
    assert_eq!(again.status(), StatusCode::NOT_FOUND, "a linked application cannot be linked again");
}

#[tokio::test]
async fn a3_wrong_details_give_no_hint_and_five_failures_lock_linking() {
    let app = with_paper_application().await;
    let applicant = app.access_token("applicant-1", &[]);
    let wrong = [
        ("W999999999", "Nguyen", "1985-03-14"),
        ("W123456789", "Tran", "1985-03-14"),
        ("W123456789", "Nguyen", "1985-03-15"),
        ("W123456789", "Nguyen", "1985-13-14"),
        ("X", "", ""),
    ];
    let mut bodies = Vec::new();
    for (number, name, birth) in wrong {
        let response = link(&app, &applicant, number, name, birth).await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND);
        let mut body: Value = response.json().await.expect("json");
        body.as_object_mut().expect("object").remove("requestId");
        bodies.push(body);
    }
    assert!(bodies.windows(2).all(|pair| pair[0] == pair[1]), "no hint of which field was wrong");

    let right_but_too_late = link(&app, &applicant, "W123456789", "Nguyen", "1985-03-14").await;

    assert_eq!(right_but_too_late.status(), StatusCode::TOO_MANY_REQUESTS);
    let other_account = app.access_token("applicant-2", &[]);
    assert_eq!(link(&app, &other_account, "W123456789", "Nguyen", "1985-03-14").await.status(), StatusCode::OK);
}
