//! Lambda entry point of the system area (functions `Health` and `OpenApi`).

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    portal_api::lambda::serve_area(async || Ok(portal_system::router()?)).await
}
