//! What error responses say to people, in English and French. The response's language follows
//! the request's `Accept-Language` (the web app sends the user's choice); codes stay stable.

use portal_domain::profile::Language;

/// (problem type, English title, French title).
const PROBLEM_TITLES: &[(&str, &str, &str)] = &[
    ("unauthenticated", "Authentication required", "Authentification requise"),
    ("malformed-body", "The request body is not valid", "Le corps de la requête n'est pas valide"),
    ("unsupported-media-type", "Send the body as application/json", "Envoyez le corps en application/json"),
    ("payload-too-large", "The request body is too large", "Le corps de la requête est trop volumineux"),
    ("invalid-fields", "Some fields are not valid", "Certains champs ne sont pas valides"),
    ("invalid-credentials", "The email or password is not correct", "Le courriel ou le mot de passe est incorrect"),
    ("session-expired", "The sign-in has expired, sign in again", "La connexion a expiré, connectez-vous de nouveau"),
    ("email-not-confirmed", "Confirm your email address first", "Confirmez d'abord votre adresse courriel"),
    (
        "conflict",
        "It changed since you opened it: reload and try again",
        "Le dossier a changé depuis son ouverture\u{a0}: rechargez et réessayez",
    ),
    ("invalid-state", "Not possible at this stage", "Impossible à cette étape"),
    ("incomplete", "Some required information is missing", "Des renseignements obligatoires manquent"),
    (
        "upload-missing",
        "The file has not arrived: upload it again",
        "Le fichier n'est pas arrivé\u{a0}: téléversez-le de nouveau",
    ),
    (
        "document-unavailable",
        "This file has not passed verification and cannot be downloaded",
        "Ce fichier n'a pas réussi la vérification et ne peut pas être téléchargé",
    ),
    ("too-many-attempts", "Too many attempts, try again later", "Trop de tentatives, réessayez plus tard"),
    (
        "too-many-documents",
        "This application holds as many documents as it may: remove one first",
        "Cette demande contient le nombre maximal de documents\u{a0}: retirez-en un d'abord",
    ),
    ("fee-already-added", "This fee is already on the case", "Ces frais figurent déjà au dossier"),
    ("slot-full", "This time is fully booked: choose another", "Ce créneau est complet\u{a0}: choisissez-en un autre"),
    (
        "already-booked",
        "An appointment is already booked: change or cancel it instead",
        "Un rendez-vous est déjà réservé\u{a0}: modifiez-le ou annulez-le plutôt",
    ),
    (
        "appointment-not-requested",
        "This application is not asked to book this appointment",
        "Cette demande n'a pas à réserver ce rendez-vous",
    ),
    (
        "slot-unavailable",
        "This time can no longer be booked: choose another",
        "Ce créneau ne peut plus être réservé\u{a0}: choisissez-en un autre",
    ),
    (
        "too-late-to-change",
        "The appointment is too close to change online: contact the agency",
        "Le rendez-vous est trop proche pour être modifié en ligne\u{a0}: communiquez avec l'agence",
    ),
    (
        "limit-reached",
        "You have reached today's limit: try again tomorrow",
        "Vous avez atteint la limite d'aujourd'hui\u{a0}: réessayez demain",
    ),
    ("forbidden", "You are not allowed to do this", "Vous n'êtes pas autorisé à faire ceci"),
    (
        "read-only-access",
        "Your access to this application is read-only: the applicant can give you full access",
        "Votre accès à cette demande est en lecture seule\u{a0}: le demandeur peut vous donner un accès complet",
    ),
    (
        "applicant-only",
        "Only the applicant can do this: submit, withdraw, pay, or choose who represents them",
        "Seul le demandeur peut faire ceci\u{a0}: présenter, retirer, payer ou choisir qui le représente",
    ),
    (
        "too-many-representatives",
        "This application has as many representatives as it may: end a grant first",
        "Cette demande compte le nombre maximal de représentants\u{a0}: mettez d'abord fin à une autorisation",
    ),
    (
        "already-representing",
        "This person already represents the applicant on this application",
        "Cette personne représente déjà le demandeur dans cette demande",
    ),
    (
        "invitation-closed",
        "This invitation is no longer open: it was answered, withdrawn or has expired",
        "Cette invitation n'est plus ouverte\u{a0}: on y a répondu, elle a été retirée ou elle a expiré",
    ),
    ("already-in-a-firm", "You already belong to a firm", "Vous faites déjà partie d'un cabinet"),
    ("firm-full", "This firm has as many members as it may", "Ce cabinet compte le nombre maximal de membres"),
    (
        "draft-has-documents",
        "This draft holds documents: remove them first",
        "Ce brouillon contient des documents\u{a0}: retirez-les d'abord",
    ),
    (
        "draft-has-payments",
        "A payment was started for this draft: it cannot be deleted, contact support",
        "Un paiement a été amorcé pour ce brouillon\u{a0}: il ne peut pas être supprimé, communiquez avec le soutien",
    ),
    ("not-found", "Not found", "Introuvable"),
    ("method-not-allowed", "Method not allowed", "Méthode non permise"),
    ("unavailable", "Temporarily unavailable, try again shortly", "Temporairement indisponible, réessayez sous peu"),
    ("internal", "Something went wrong on our side", "Une erreur s'est produite de notre côté"),
];

/// (field problem code, English message, French message).
const FIELD_MESSAGES: &[(&str, &str, &str)] = &[
    ("required", "This field is required.", "Ce champ est obligatoire."),
    (
        "yourself",
        "This is your own address: invite the person who will represent you.",
        "C'est votre propre adresse\u{a0}: invitez la personne qui vous représentera.",
    ),
    (
        "not-cicc-licence",
        "Enter the consultant's CICC licence number: R followed by 6 digits (R705123).",
        "Entrez le numéro de permis du CCIC du consultant\u{a0}: R suivi de 6 chiffres (R705123).",
    ),
    (
        "not-member-number",
        "Enter the member number the law society gave (letters, digits and at most one hyphen).",
        "Entrez le numéro de membre attribué par le barreau (lettres, chiffres et au plus un trait d'union).",
    ),
    (
        "not-for-unpaid",
        "An unpaid representative has no licence number: leave it empty.",
        "Un représentant non rémunéré n'a pas de numéro de permis\u{a0}: laissez ce champ vide.",
    ),
    (
        "stale-statement",
        "The consent statement changed: read the current one and confirm it again.",
        "La déclaration de consentement a changé\u{a0}: lisez la version actuelle et confirmez-la de nouveau.",
    ),
    (
        "must-agree",
        "Confirm the consent statement to authorize a representative.",
        "Confirmez la déclaration de consentement pour autoriser un représentant.",
    ),
    (
        "unlicensed-member",
        "This client's representative is paid: hand them over to a member with a licence.",
        "Le représentant de ce client est rémunéré\u{a0}: confiez-le à un membre titulaire d'un permis.",
    ),
    (
        "unknown-fee",
        "This fee is not one of this application type's.",
        "Ces frais ne sont pas prévus pour ce type de demande.",
    ),
    ("unpaid", "Pay the fees due first.", "Payez d'abord les frais dus."),
    (
        "invalid-signature",
        "The signature is missing, wrong or too old.",
        "La signature est absente, incorrecte ou trop ancienne.",
    ),
    (
        "too-short",
        "This is too short: use at least 12 characters.",
        "C'est trop court\u{a0}: utilisez au moins 12 caractères.",
    ),
    ("too-long", "This is too long.", "C'est trop long."),
    (
        "common",
        "This password is too common: choose another.",
        "Ce mot de passe est trop courant\u{a0}: choisissez-en un autre.",
    ),
    ("policy", "This password does not meet the requirements.", "Ce mot de passe ne respecte pas les exigences."),
    (
        "no-match",
        "The code, or the application's number and date of birth, are not right for this account.",
        "Le code, ou le numéro et la date de naissance de la demande, ne correspondent pas à ce compte.",
    ),
    (
        "incorrect-password",
        "This is not the password you sign in with now.",
        "Ce n'est pas le mot de passe avec lequel vous vous connectez maintenant.",
    ),
    ("invalid-email", "Enter a valid email address.", "Entrez une adresse courriel valide."),
    (
        "same-address",
        "This is already the email you sign in with: enter another one.",
        "C'est déjà l'adresse avec laquelle vous vous connectez\u{a0}: entrez-en une autre.",
    ),
    (
        "too-many-passkeys",
        "This account has as many passkeys as it can keep (20): remove one before adding another.",
        "Ce compte a autant de clés d'accès qu'il peut en garder (20)\u{a0}: retirez-en une avant d'en ajouter une autre.",
    ),
    ("invalid", "This value is not valid.", "Cette valeur n'est pas valide."),
    ("mismatch", "The code is not correct.", "Le code est incorrect."),
    ("expired", "The code has expired: ask for a new one.", "Le code a expiré\u{a0}: demandez-en un nouveau."),
    ("pattern", "The format is not valid.", "Le format n'est pas valide."),
    ("wrong-type", "This value is not of the expected kind.", "Cette valeur n'est pas du type attendu."),
    ("invalid-date", "Enter a real date as YYYY-MM-DD.", "Entrez une date réelle au format AAAA-MM-JJ."),
    (
        "nonexistent-local-time",
        "The clocks skip this time that day (daylight saving time): choose another.",
        "Cette heure n'existe pas ce jour-là (changement d'heure)\u{a0}: choisissez-en une autre.",
    ),
    ("past", "Choose a time in the future.", "Choisissez une heure à venir."),
    ("not-offered", "This service is not offered at this location.", "Ce service n'est pas offert à cet endroit."),
    ("out-of-range", "This value is outside the allowed range.", "Cette valeur est hors des limites permises."),
    ("unknown-location", "This location does not exist.", "Cet endroit n'existe pas."),
    ("unknown-slot", "This time slot does not exist.", "Ce créneau n'existe pas."),
    (
        "before-from",
        "The end date must not come before the start date.",
        "La date de fin ne doit pas précéder la date de début.",
    ),
    (
        "too-far",
        "This is too far ahead: choose an earlier date.",
        "C'est trop loin\u{a0}: choisissez une date plus proche.",
    ),
    (
        "overlapping-slots",
        "The clocks go forward that day: these slots would overlap. Start after the change.",
        "On avance l'heure ce jour-là\u{a0}: ces créneaux se chevaucheraient. Commencez après le changement.",
    ),
    ("too-small", "This number is too small.", "Ce nombre est trop petit."),
    ("too-large", "This number is too large.", "Ce nombre est trop grand."),
    ("not-an-option", "Choose one of the options.", "Choisissez l'une des options."),
    ("not-in-past", "Enter a date in the past.", "Entrez une date passée."),
    ("not-in-future", "Enter a date in the future.", "Entrez une date future."),
    (
        "not-before",
        "This date must come before the date it is compared with on the form.",
        "Cette date doit précéder la date à laquelle le formulaire la compare.",
    ),
    (
        "not-after",
        "This date must come after the date it is compared with on the form.",
        "Cette date doit suivre la date à laquelle le formulaire la compare.",
    ),
    ("unknown-field", "This field is not part of the form.", "Ce champ ne fait pas partie du formulaire."),
    ("unknown-type", "This application type does not exist.", "Ce type de demande n'existe pas."),
    ("unknown-kind", "This document is not on the checklist.", "Ce document ne figure pas dans la liste."),
    ("unsupported-type", "Send a PDF, JPEG or PNG file.", "Envoyez un fichier PDF, JPEG ou PNG."),
    ("file-too-large", "Files can be up to 10 MB.", "Les fichiers peuvent faire jusqu'à 10 Mo."),
    ("empty-file", "This file is empty.", "Ce fichier est vide."),
    ("in-the-past", "Choose a date from today on.", "Choisissez une date à partir d'aujourd'hui."),
    (
        "unknown-document",
        "This document is not one of this application's.",
        "Ce document ne fait pas partie de cette demande.",
    ),
    (
        "invalid-phone",
        "Enter a mobile number with its country code, such as +15145550123.",
        "Entrez un numéro de cellulaire avec son indicatif de pays, par exemple +15145550123.",
    ),
    ("document-missing", "Upload this document.", "Téléversez ce document."),
    ("invalid-limit", "Ask for 1 to 100 items.", "Demandez de 1 à 100 éléments."),
    (
        "invalid-cursor",
        "This page link is not valid: start from the first page.",
        "Ce lien de page n'est pas valide\u{a0}: recommencez à la première page.",
    ),
    (
        "document-not-verified",
        "This document is still being checked: try again in a moment.",
        "Ce document est en cours de vérification\u{a0}: réessayez dans un instant.",
    ),
    (
        "document-refused",
        "This document was not accepted: upload another one.",
        "Ce document n'a pas été accepté\u{a0}: téléversez-en un autre.",
    ),
];

fn pick(table: &[(&str, &'static str, &'static str)], key: &str, language: Language) -> Option<&'static str> {
    table.iter().find(|(k, _, _)| *k == key).map(|(_, en, fr)| match language {
        Language::En => *en,
        Language::Fr => *fr,
    })
}

/// The title of a problem type.
pub fn problem_title(kind: &str, language: Language) -> &'static str {
    pick(PROBLEM_TITLES, kind, language).unwrap_or(match language {
        Language::En => "Error",
        Language::Fr => "Erreur",
    })
}

/// The message of a field problem code, if it has one.
pub fn field_message(code: &str, language: Language) -> Option<&'static str> {
    pick(FIELD_MESSAGES, code, language)
}

/// The language a request asks for in its `Accept-Language`: French when French ranks above
/// English, English otherwise.
pub fn preferred_language(accept_language: Option<&str>) -> Language {
    let mut best = (Language::En, -1.0_f32);
    for entry in accept_language.unwrap_or_default().split(',') {
        let mut parts = entry.trim().split(';');
        let tag = parts.next().unwrap_or_default().trim().to_ascii_lowercase();
        let quality =
            parts.find_map(|p| p.trim().strip_prefix("q=").and_then(|q| q.parse::<f32>().ok())).unwrap_or(1.0);
        let language = match tag.split('-').next() {
            Some("fr") => Language::Fr,
            Some("en") => Language::En,
            _ => continue,
        };
        if quality > best.1 {
            best = (language, quality);
        }
    }
    best.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_text_exists_in_both_languages() {
        for (key, en, fr) in PROBLEM_TITLES.iter().chain(FIELD_MESSAGES) {
            assert!(!en.is_empty() && !fr.is_empty() && en != fr, "{key}");
        }
    }

    #[test]
    fn the_preferred_language_follows_accept_language() {
        assert_eq!(preferred_language(None), Language::En);
        assert_eq!(preferred_language(Some("fr-CA,fr;q=0.9,en;q=0.8")), Language::Fr);
        assert_eq!(preferred_language(Some("en-CA,fr;q=0.5")), Language::En);
        assert_eq!(preferred_language(Some("de-DE,fr;q=0.7,en;q=0.3")), Language::Fr);
        assert_eq!(preferred_language(Some("garbage;;;")), Language::En);
    }
}
