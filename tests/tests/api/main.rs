//! API journeys against the local portal over real HTTP (one test binary, faster to link).

mod accounts;
mod admin;
mod applications;
mod authorizer;
mod documents;
mod linking;
mod logs;
mod me;
mod messages;
mod officer;
mod paging;
mod round_trips;
mod route_table;
mod site;
mod template;
