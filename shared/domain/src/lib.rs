//! The portal's domain: rules and types, and the ports through which it reaches storage.
//! No AWS SDK, no HTTP and no I/O here except through the ports.

pub mod accounts;
pub mod application_documents;
pub mod application_types;
pub mod applications;
pub mod appointments;
pub mod attempts;
pub mod audit;
pub mod blobs;
pub mod case_view;
pub mod clock;
pub mod digest;
pub mod email;
pub mod events;
pub mod fees;
pub mod files;
pub mod idempotency;
pub mod identity;
pub mod ids;
pub mod keys;
pub mod limits;
pub mod messages;
pub mod notifications;
pub mod notifier;
pub mod paging;
pub mod password;
pub mod payments;
pub mod pdf;
pub mod profile;
pub mod receipts;
pub mod representatives;
pub mod sessions;
pub mod status;
pub mod table;
pub mod uri;
pub mod verification;
