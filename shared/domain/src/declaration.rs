//! The declaration an applicant signs when they submit: the portal's equivalent of the paper
//! form's signature box. Submission records it (`statements`): version, language, the very
//! text, and when.

use crate::statements::Statement;

const DECLARATION_EN: &str = "I declare that the information I have given in this application is truthful, \
complete and correct, and that the documents I uploaded are genuine. \
I understand that giving false or misleading information, or holding back information that matters \
(misrepresentation), can lead to a refusal and a five-year ban on applying, and is an offence. \
I understand that the agency may verify what I gave with other sources, and that I must tell it \
of any change to what I declared until a decision is made.";

const DECLARATION_FR: &str = "Je déclare que les renseignements fournis dans cette demande sont véridiques, \
complets et exacts, et que les documents téléversés sont authentiques. \
Je comprends que fournir des renseignements faux ou trompeurs, ou taire des renseignements importants \
(fausses déclarations), peut entraîner un refus et une interdiction de présenter une demande pendant cinq ans, \
et constitue une infraction. \
Je comprends que l'agence peut vérifier ces renseignements auprès d'autres sources, et que je dois lui \
signaler tout changement à ce que j'ai déclaré jusqu'à ce qu'une décision soit rendue.";

/// The declaration in force.
pub const DECLARATION: Statement = Statement { version: "2026-12", en: DECLARATION_EN, fr: DECLARATION_FR };
