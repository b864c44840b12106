//! The API contract: each area's routes with the Rust types of what they take and answer. The
//! JSON schemas are derived from those types by schemars (draft 2020-12, OpenAPI 3.1's own
//! dialect), `openapi` publishes them, and the web app's types are generated from that document.
//! Handlers take and return these same types, so the document cannot say one thing while a
//! handler does another.
//!
//! One module per area holds its routes (`ROUTES`) and its request and response types; types
//! that several areas answer with live in the domain, which derives their schemas too.

pub mod applications;
pub mod appointments;
pub mod auth;
pub mod billing;
pub mod documents;
pub mod messages;
pub mod officer;
pub mod payments;
pub mod profile;
pub mod representatives;
pub mod statements;
pub mod system;

use schemars::{JsonSchema, Schema, SchemaGenerator};

pub use crate::paging::PageQuery;
/// One page of a list (D6): the domain's, since the views it builds hold pages.
pub use portal_domain::paging::Page;

/// How a route names one of its types: the function that gives its schema.
pub type SchemaFn = fn(&mut SchemaGenerator) -> Schema;

/// The schema of `T` (a reference to its component when the type is named).
fn schema_of<T: JsonSchema>(generator: &mut SchemaGenerator) -> Schema {
    generator.subschema_for::<T>()
}

/// The request body a route takes.
#[derive(Clone, Copy, Debug)]
pub enum Body {
    /// Not declared: only right for methods that carry no body (GET, DELETE).
    Undeclared,
    /// The route reads no body (a command on the resource in its path).
    Empty,
    /// A required JSON body of this type.
    Json(SchemaFn),
}

/// A route's answer when it succeeds.
#[derive(Clone, Copy, Debug)]
pub enum Success {
    /// A JSON body of this type, with this status.
    Json(u16, SchemaFn),
    /// No content, with this status (204, or 202 for accepted work).
    Empty(u16),
    /// A file of this media type (a receipt's PDF), with this status.
    File(u16, &'static str),
}

/// A cookie a route reads.
#[derive(Clone, Copy, Debug)]
pub struct Cookie {
    /// Its name.
    pub name: &'static str,
    /// Whether the route needs it (or also works without it).
    pub required: bool,
}

/// What a route takes and answers, beyond what its method and authorization imply (which
/// `openapi` adds: 400 for bad input, 401, 403 for officers' routes, 404 for paths that name a
/// resource, 413 and 415 for bodies, 429 and 503 for every route that reaches the store).
#[derive(Clone, Copy, Debug)]
pub struct Contract {
    /// Path parameters: one typed id, or a tuple of them in the template's order.
    pub path: Option<SchemaFn>,
    /// The query string: a struct whose fields are the parameters.
    pub query: Option<SchemaFn>,
    /// The request body.
    pub body: Body,
    /// The cookie the route reads, and whether it must be there.
    pub cookie: Option<Cookie>,
    /// A request header the route requires, and what it holds.
    pub header: Option<(&'static str, SchemaFn)>,
    /// The success answer.
    pub success: Success,
    /// Further problem statuses the route answers (409, 422, 403 for a state of the account, ...).
    pub problems: &'static [u16],
}

impl Contract {
    /// A route answering `T` as JSON with `status`.
    pub const fn json<T: JsonSchema>(status: u16) -> Self {
        Self::answering(Success::Json(status, schema_of::<T>))
    }

    /// A route answering a file of `media_type` with `status`.
    pub const fn file(status: u16, media_type: &'static str) -> Self {
        Self::answering(Success::File(status, media_type))
    }

    /// A route answering `status` with no content.
    pub const fn empty(status: u16) -> Self {
        Self::answering(Success::Empty(status))
    }

    const fn answering(success: Success) -> Self {
        Self { path: None, query: None, body: Body::Undeclared, cookie: None, header: None, success, problems: &[] }
    }

    /// Takes its path parameters as `T`.
    pub const fn path<T: JsonSchema>(mut self) -> Self {
        self.path = Some(schema_of::<T>);
        self
    }

    /// Takes its query string as `T`.
    pub const fn query<T: JsonSchema>(mut self) -> Self {
        self.query = Some(schema_of::<T>);
        self
    }

    /// Takes a JSON body of type `T`.
    pub const fn body<T: JsonSchema>(mut self) -> Self {
        self.body = Body::Json(schema_of::<T>);
        self
    }

    /// Takes no body.
    pub const fn without_body(mut self) -> Self {
        self.body = Body::Empty;
        self
    }

    /// Reads this cookie, which must be there.
    pub const fn cookie(mut self, name: &'static str) -> Self {
        self.cookie = Some(Cookie { name, required: true });
        self
    }

    /// Reads this cookie when the browser sends it.
    pub const fn optional_cookie(mut self, name: &'static str) -> Self {
        self.cookie = Some(Cookie { name, required: false });
        self
    }

    /// Requires the header `name`, holding a `T`.
    pub const fn header<T: JsonSchema>(mut self, name: &'static str) -> Self {
        self.header = Some((name, schema_of::<T>));
        self
    }

    /// Also answers these problem statuses.
    pub const fn problems(mut self, statuses: &'static [u16]) -> Self {
        self.problems = statuses;
        self
    }
}
