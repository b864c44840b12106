//! Running an area on AWS Lambda: the same Router the local portal serves, behind `lambda_http`.

use axum::Router;
use axum::extract::{MatchedPath, Request};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use lambda_http::request::RequestContext;

use crate::config::Environment;
use crate::observe;
use crate::problem::ApiError;
use crate::routes::{Route, ServedRoute};

/// The header CloudFront adds to every request it sends the API (an origin custom header in
/// `template.yaml`), carrying the secret in `CLOUDFRONT_ORIGIN_SECRET`.
pub const ORIGIN_SECRET_HEADER: &str = "x-origin-verify";

/// The header in which CloudFront passes the viewer's address (`ip:port`).
pub const VIEWER_ADDRESS_HEADER: &str = "cloudfront-viewer-address";

/// Initializes logging, builds the area router (given its state) with `build`, and serves it
/// until the runtime stops it, to requests that came through CloudFront only. A failure to build
/// (bad configuration, missing handler) is logged and fails the function's init. `routes` are
/// the area's (`const { Area::X.routes() }`).
pub async fn serve_area(
    routes: &'static [Route],
    build: impl AsyncFnOnce() -> Result<Router, lambda_http::Error>,
) -> Result<(), lambda_http::Error> {
    observe::init_tracing();
    let init = async || {
        let secret = Environment::process().required("CLOUDFRONT_ORIGIN_SECRET")?;
        Ok::<_, lambda_http::Error>(function_app(routes, build().await?, secret))
    };
    let app = init().await.inspect_err(|error| tracing::error!(%error, "function init failed"))?;
    lambda_http::run(app).await
}

/// What a function serves: its area's router behind the origin-secret check and the API's
/// middleware, each request marked first with its route among the area's `routes` (what its
/// figures count under, a refused request's too: this layer, added last, runs first).
pub fn function_app(routes: &'static [Route], router: Router, secret: String) -> Router {
    crate::app(through_cloudfront_only(router, secret)).layer(middleware::from_fn(
        move |mut request: Request, next: Next| {
            let path = request.extensions().get::<MatchedPath>().map(MatchedPath::as_str);
            let route = path.and_then(|path| routes.iter().find(|r| r.method == *request.method() && r.path == path));
            if let Some(route) = route {
                request.extensions_mut().insert(ServedRoute(route));
            }
            next.run(request)
        },
    ))
}

/// Refuses (403 problem+json) every request to `router`'s routes that lacks CloudFront's origin
/// secret. The API's custom domain is public (CloudFront must resolve it), so without this a
/// caller could reach the API directly and skip the WAF and CloudFront's headers.
pub fn through_cloudfront_only(router: Router, secret: String) -> Router {
    let secret: std::sync::Arc<str> = secret.into();
    router.route_layer(middleware::from_fn(move |request: Request, next: Next| {
        let secret = std::sync::Arc::clone(&secret);
        async move {
            let presented = request.headers().get(ORIGIN_SECRET_HEADER).map(|value| value.as_bytes());
            let genuine = presented.is_some_and(|value| {
                aws_lc_rs::constant_time::verify_slices_are_equal(value, secret.as_bytes()).is_ok()
            });
            if genuine { next.run(viewer_is_the_source(request)).await } else { refused() }
        }
    }))
}

/// CloudFront's request to the API comes from a CloudFront address, so `sourceIp` is CloudFront's;
/// the viewer's own address is in `CloudFront-Viewer-Address` (`ip:port`, which CloudFront sets
/// itself). Once the origin secret proved the request came through CloudFront, that address
/// becomes the request's source, which per-client limits count by.
fn viewer_is_the_source(mut request: Request) -> Request {
    let viewer = request
        .headers_mut()
        .remove(VIEWER_ADDRESS_HEADER)
        .and_then(|value| value.to_str().ok().and_then(|v| v.rsplit_once(':')).map(|(ip, _)| ip.to_owned()))
        .filter(|ip| ip.parse::<std::net::IpAddr>().is_ok());
    if let (Some(viewer), Some(RequestContext::ApiGatewayV2(context))) =
        (viewer, request.extensions_mut().get_mut::<RequestContext>())
    {
        context.http.source_ip = Some(viewer);
    }
    request
}

fn refused() -> Response {
    tracing::warn!("request without CloudFront's origin secret refused");
    ApiError::Forbidden.into_response()
}

/// Handles one API Gateway v2 (HTTP API, payload 2.0) event the way `lambda_http::run` does for
/// each invocation — parse the event, call the app, render the response event — and returns the
/// response event as JSON. `app` is an area router wrapped by [`crate::app`], as `run` serves it.
/// Used by the Lambda-shape tests and the handler benchmark.
pub async fn handle_event(app: Router, event: &str) -> Result<serde_json::Value, lambda_http::Error> {
    use lambda_http::{Adapter, Context, LambdaEvent, Service, request::LambdaRequest};

    let request: LambdaRequest = serde_json::from_str(event)?;
    let mut adapter = Adapter::from(app);
    let response = adapter.call(LambdaEvent::new(request, Context::default())).await?;
    Ok(serde_json::to_value(response)?)
}

#[cfg(test)]
mod tests {
    use axum::body::Body;
    use axum::routing::get;
    use http::{Request, StatusCode};
    use tower::ServiceExt as _;

    use super::*;

    async fn status(headers: &[(&str, &str)]) -> (StatusCode, Option<String>) {
        let app = crate::app(through_cloudfront_only(
            Router::new().route("/api/me", get(|| async { "me" })),
            "s3cret".into(),
        ));
        let mut request = Request::get("/api/me");
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let response = app.oneshot(request.body(Body::empty()).expect("request")).await.expect("response");
        let content_type =
            response.headers().get(http::header::CONTENT_TYPE).map(|v| v.to_str().expect("ascii").to_owned());
        (response.status(), content_type)
    }

    #[tokio::test]
    async fn i2_requests_that_skipped_cloudfront_are_refused_with_a_problem() {
        assert_eq!(status(&[(ORIGIN_SECRET_HEADER, "s3cret")]).await.0, StatusCode::OK);
        for headers in [
            &[][..],
            &[(ORIGIN_SECRET_HEADER, "s3cre")],
            &[(ORIGIN_SECRET_HEADER, "s3cret!")],
            &[(ORIGIN_SECRET_HEADER, "")],
        ] {
            let (status, content_type) = status(headers).await;
            assert_eq!(status, StatusCode::FORBIDDEN, "{headers:?}");
            assert_eq!(content_type.as_deref(), Some(crate::problem::PROBLEM_JSON));
        }
    }

    async fn source_seen(headers: &[(&str, &str)]) -> String {
        let app = through_cloudfront_only(
            Router::new().route(
                "/api/me",
                get(|crate::client::ClientAddress(client): crate::client::ClientAddress| async move { client }),
            ),
            "s3cret".into(),
        );
        let mut context = lambda_http::aws_lambda_events::apigw::ApiGatewayV2httpRequestContext::default();
        context.http.source_ip = Some("130.176.0.1".into()); // a CloudFront edge
        let mut request = Request::get("/api/me").extension(RequestContext::ApiGatewayV2(context));
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let response = app.oneshot(request.body(Body::empty()).expect("request")).await.expect("response");
        let body = axum::body::to_bytes(response.into_body(), 1024).await.expect("body");
        String::from_utf8(body.to_vec()).expect("utf-8")
    }

    #[cfg(feature = "local")]
    #[tokio::test]
    async fn each_request_counts_under_its_route_among_the_areas_own_a_refused_one_too() {
        let metrics = std::sync::Arc::new(crate::metrics::LocalMetrics::default());
        let router = Router::new().route("/api/me", get(|| async { "me" }));
        let app = function_app(crate::routes::Area::Profile.routes(), router, "s3cret".into())
            .layer(axum::Extension(crate::metrics::MetricSink::Local(std::sync::Arc::clone(&metrics))));
        for (path, secret) in [("/api/me", "s3cret"), ("/api/me", "wrong"), ("/api/nothing", "s3cret")] {
            let request = Request::get(path).header(ORIGIN_SECRET_HEADER, secret).body(Body::empty());
            app.clone().oneshot(request.expect("request")).await.expect("response");
        }
        let figures = metrics.snapshot();
        assert_eq!(figures.len(), 1, "a path that is no route counts under none: {figures:?}");
        let me = &figures[0];
        assert_eq!((me.area, me.function, me.requests, me.errors), ("profile", "GetMe", 2, 0), "the 403 is no error");
    }

    #[tokio::test]
    async fn a10_behind_cloudfront_limits_count_the_viewer_not_the_edge() {
        let secret = (ORIGIN_SECRET_HEADER, "s3cret");
        assert_eq!(source_seen(&[secret, (VIEWER_ADDRESS_HEADER, "198.51.100.7:46532")]).await, "198.51.100.7");
        let ipv6 = source_seen(&[secret, (VIEWER_ADDRESS_HEADER, "2001:db8:85a3:1:2:8a2e:370:7334:46532")]).await;
        assert_eq!(ipv6, "2001:db8:85a3:1::/64", "an IPv6 viewer counts by its /64");
        assert_eq!(source_seen(&[secret, (VIEWER_ADDRESS_HEADER, "not an address")]).await, "130.176.0.1");
        assert_eq!(source_seen(&[secret]).await, "130.176.0.1");
    }
}
