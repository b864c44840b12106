//! API journeys against the local portal over real HTTP (one test binary, faster to link).

mod accounts;
mod admin;
mod applications;
mod appointments;
mod authorizer;
mod contract;
mod documents;
mod grants;
mod hostile_input;
mod limits;
mod linking;
mod logs;
mod me;
mod messages;
mod officer;
mod officer_identity;
mod paging;
mod recovery;
mod payments;
mod representatives;
mod response_headers;
mod round_trips;
mod sessions;
mod route_table;
mod site;
mod template;
