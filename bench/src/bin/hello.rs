//! The baseline of the cold-start benchmark: the smallest useful `lambda_http` function, built
//! with the same profile and dependency features as the portal's functions.

use lambda_http::{Body, Error, Request, Response, service_fn};

#[tokio::main]
async fn main() -> Result<(), Error> {
    lambda_http::run(service_fn(|_request: Request| async { Ok::<_, Error>(Response::new(Body::from("hello"))) })).await
}
