//! `JsonBody<T>`: a JSON request body whose every problem (wrong content type, malformed JSON,
//! a wrong type, an unknown field — bodies deny them, C3) is a 4xx problem naming it. Every
//! body is a JSON object: serde would also read a struct from an array of its fields' values in
//! order (`[null, null]`), which no schema of ours describes, so a body and the structs nested
//! in it are read with `object`, `optional_object` or `objects`, which take only objects.

use std::fmt;
use std::marker::PhantomData;

use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, Request};
use serde::de::value::MapAccessDeserializer;
use serde::de::{self, MapAccess, Unexpected, Visitor};
use serde::{Deserialize, Deserializer};

use crate::problem::ApiError;

/// The largest whole number a JSON client reads exactly (2^53 - 1): versions stay below it.
pub const MAX_SAFE_INTEGER: u64 = (1 << 53) - 1;

/// A typed JSON body.
#[derive(Debug)]
pub struct JsonBody<T>(pub T);

impl<S, T> FromRequest<S> for JsonBody<T>
where
    S: Send + Sync,
    T: serde::de::DeserializeOwned,
{
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Json::<Object<T>>::from_request(request, state).await {
            Ok(axum::Json(Object(value))) => Ok(Self(value)),
            Err(JsonRejection::MissingJsonContentType(_)) => Err(ApiError::UnsupportedMediaType),
            Err(JsonRejection::BytesRejection(_)) => Err(ApiError::PayloadTooLarge),
            Err(rejection) => Err(ApiError::MalformedBody(rejection.body_text())),
        }
    }
}

/// Reads a whole number as JSON Schema counts one, `2` and `2.0` alike: JSON has one number
/// type, and a client may well write back as `2.0` the version it read. (`#[serde(deserialize_with
/// = "whole_number")]` on a `u64` field of a body.)
pub fn whole_number<'de, D: Deserializer<'de>>(deserializer: D) -> Result<u64, D::Error> {
    struct Whole;

    impl Visitor<'_> for Whole {
        type Value = u64;

        fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
            formatter.write_str("a whole number, not negative")
        }

        fn visit_u64<E: de::Error>(self, value: u64) -> Result<u64, E> {
            Ok(value)
        }

        fn visit_i64<E: de::Error>(self, value: i64) -> Result<u64, E> {
            u64::try_from(value).map_err(|_| E::invalid_value(Unexpected::Signed(value), &self))
        }

        fn visit_f64<E: de::Error>(self, value: f64) -> Result<u64, E> {
            // Above 2^53 a float no longer holds every whole number: it cannot be a version we
            // handed out or a size we accept, so it is refused rather than rounded.
            let exact = value.fract() == 0.0 && (0.0..=MAX_SAFE_INTEGER as f64).contains(&value);
            if exact { Ok(value as u64) } else { Err(E::invalid_value(Unexpected::Float(value), &self)) }
        }
    }

    deserializer.deserialize_any(Whole)
}

/// Reads a struct only from a JSON object (`#[serde(deserialize_with = "object")]` on a struct
/// field of a body).
pub fn object<'de, D: Deserializer<'de>, T: Deserialize<'de>>(deserializer: D) -> Result<T, D::Error> {
    deserializer.deserialize_map(ObjectOf(PhantomData))
}

/// `object` for an optional struct: `null` or left out (with `#[serde(default)]`) is `None`.
pub fn optional_object<'de, D: Deserializer<'de>, T: Deserialize<'de>>(deserializer: D) -> Result<Option<T>, D::Error> {
    Option::<Object<T>>::deserialize(deserializer).map(|found| found.map(|Object(value)| value))
}

/// `object` for each struct of a list.
pub fn objects<'de, D: Deserializer<'de>, T: Deserialize<'de>>(deserializer: D) -> Result<Vec<T>, D::Error> {
    Vec::<Object<T>>::deserialize(deserializer).map(|found| found.into_iter().map(|Object(value)| value).collect())
}

/// A `T` read only from a JSON object.
struct Object<T>(T);

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Object<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        object(deserializer).map(Object)
    }
}

struct ObjectOf<T>(PhantomData<T>);

impl<'de, T: Deserialize<'de>> Visitor<'de> for ObjectOf<T> {
    type Value = T;

    fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
        formatter.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<T, A::Error> {
        T::deserialize(MapAccessDeserializer::new(map))
    }
}

#[cfg(test)]
mod tests {
    use axum::http::header::CONTENT_TYPE;
    use serde::Deserialize;

    use super::*;

    #[derive(Debug, Deserialize, PartialEq)]
    #[serde(deny_unknown_fields)]
    struct Versioned {
        #[serde(deserialize_with = "whole_number")]
        version: u64,
        note: Option<String>,
    }

    async fn parse(body: &'static str) -> Result<Versioned, ApiError> {
        let request = Request::builder().header(CONTENT_TYPE, "application/json").body(body.into()).expect("request");
        JsonBody::<Versioned>::from_request(request, &()).await.map(|JsonBody(value)| value)
    }

    #[tokio::test]
    async fn c3_a_body_is_an_object_never_an_array_of_field_values() {
        assert!(matches!(parse("[1, null]").await, Err(ApiError::MalformedBody(_))));
        assert!(matches!(parse(" \n[1, null]").await, Err(ApiError::MalformedBody(_))));
        assert_eq!(parse(" {\"version\": 1}").await.ok(), Some(Versioned { version: 1, note: None }));
    }

    #[derive(Debug, Deserialize, PartialEq)]
    #[serde(deny_unknown_fields)]
    struct Nested {
        #[serde(default, deserialize_with = "optional_object")]
        one: Option<Versioned>,
        #[serde(default, deserialize_with = "objects")]
        many: Vec<Versioned>,
    }

    #[test]
    fn c3_nested_structs_are_objects_too() {
        let read = |json: &str| serde_json::from_str::<Nested>(json).ok();
        let versioned = Versioned { version: 1, note: None };
        assert_eq!(read(r#"{"one": {"version": 1}}"#), Some(Nested { one: Some(versioned), many: vec![] }));
        assert_eq!(read(r#"{"one": null, "many": [{"version": 1}]}"#).map(|n| n.many.len()), Some(1));
        assert_eq!(read("{}"), Some(Nested { one: None, many: vec![] }));
        assert_eq!(read(r#"{"one": [1, null]}"#), None);
        assert_eq!(read(r#"{"many": [[1, null]]}"#), None);
    }

    #[tokio::test]
    async fn whole_numbers_are_read_as_json_schema_counts_them() {
        assert_eq!(parse(r#"{"version": 2023.0}"#).await.ok().map(|v| v.version), Some(2023));
        assert_eq!(parse(r#"{"version": 9007199254740991}"#).await.ok().map(|v| v.version), Some(MAX_SAFE_INTEGER));
        for refused in [r#"{"version": 2.5}"#, r#"{"version": -1}"#, r#"{"version": 1e300}"#, r#"{"version": "1"}"#] {
            assert!(matches!(parse(refused).await, Err(ApiError::MalformedBody(_))), "{refused}");
        }
    }
}
