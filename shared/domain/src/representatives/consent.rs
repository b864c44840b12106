//! The statement an applicant confirms when they invite a representative: the portal's
//! equivalent of the paper "Use of a representative" form. Its text is versioned; a grant
//! records the version, the language and the very text that was shown (`statements`).

use crate::statements::Statement;

const STATEMENT_EN: &str = "I appoint the person named above to represent me on this application. \
I allow Immigration, Refugees and Citizenship Canada to share information from this application with them, \
and to accept what they send, within the access I chose: \"read\" lets them see the application; \
\"full\" also lets them complete the form, upload documents, write to officers and book appointments. \
They can never submit or withdraw my application, pay fees for me, or change my account: \
I declare and submit my application myself. \
If they are paid, they must be a licensed consultant or a member of a law society. \
I can end this at any time in my account, and it ends on the date I chose, if any. \
Everything they do on my application is recorded and shown to me.";

const STATEMENT_FR: &str = "Je désigne la personne nommée ci-dessus pour me représenter dans cette demande. \
J'autorise Immigration, Réfugiés et Citoyenneté Canada à lui communiquer les renseignements de cette demande \
et à accepter ce qu'elle transmet, dans les limites de l'accès que j'ai choisi : « lecture » lui permet de voir la demande; \
« complet » lui permet aussi de remplir le formulaire, de téléverser des documents, d'écrire aux agents et de prendre des rendez-vous. \
Elle ne peut jamais présenter ni retirer ma demande, payer des frais à ma place ni modifier mon compte : \
je fais moi-même ma déclaration et je présente ma demande. \
Si elle est rémunérée, elle doit être une consultante autorisée ou membre d'un barreau ou d'une chambre des notaires. \
Je peux y mettre fin à tout moment dans mon compte, et cela prend fin à la date que j'ai choisie, s'il y a lieu. \
Tout ce qu'elle fait dans ma demande est consigné et m'est montré.";

/// The statement in force. A new text is a new version; grants keep the text their applicant
/// confirmed.
pub const STATEMENT: Statement = Statement { version: "2026-12", en: STATEMENT_EN, fr: STATEMENT_FR };
