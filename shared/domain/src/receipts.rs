//! A payment's receipt: everything it shows, in the reader's language, built once here for
//! both its forms (the JSON answer and the PDF). Fees carry no tax (IRCC's fees are not
//! taxable supplies), and the receipt says so.

use schemars::JsonSchema;
use serde::Serialize;

use crate::application_types::ApplicationType;
use crate::applications::Application;
use crate::clock::civil_date;
use crate::payments::Payment;
use crate::payments::refunds::{Refund, RefundState};
use crate::profile::Language;

/// One line of a receipt.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ReceiptLine {
    /// What was paid, in the reader's language.
    pub label: String,
    /// Amount in cents of CAD.
    pub amount_cents: u64,
}

/// A refund shown on a receipt.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ReceiptRefund {
    /// When it was confirmed (seconds since the epoch).
    pub at: u64,
    /// Amount in cents of CAD.
    pub amount_cents: u64,
}

/// A receipt.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Receipt {
    /// The language it is written in.
    pub language: Language,
    /// The payment's reference (its id).
    pub payment_id: String,
    /// The processor's reference of the charge.
    pub processor_reference: Option<String>,
    /// The application's number (none for a draft not yet submitted).
    pub application_number: Option<String>,
    /// The application's type, in the reader's language.
    pub application_type: String,
    /// Who paid (their name as on their account).
    pub payer: String,
    /// When the payment was confirmed (seconds since the epoch).
    pub paid_at: u64,
    /// What was paid.
    pub lines: Vec<ReceiptLine>,
    /// Their sum, in cents of CAD.
    pub total_cents: u64,
    /// Refunds confirmed.
    pub refunds: Vec<ReceiptRefund>,
    /// What remains paid after refunds, in cents of CAD.
    pub net_cents: u64,
    /// The receipt's texts in its language (headings and the tax statement), so every form of
    /// it says the same.
    pub texts: ReceiptTexts,
}

impl Receipt {
    /// The receipt of `payment` (of `application`, of `application_type`), paid by `payer`,
    /// with its confirmed refunds, in `language`; `None` until the payment is paid.
    pub fn new(
        payment: &Payment,
        application: &Application,
        application_type: &ApplicationType,
        payer: String,
        refunds: &[Refund],
        language: Language,
    ) -> Option<Self> {
        let paid_at = payment.paid_at?;
        let refunds: Vec<ReceiptRefund> = refunds
            .iter()
            .filter(|refund| refund.payment_id == payment.id && refund.state == RefundState::Succeeded)
            .map(|refund| ReceiptRefund {
                at: refund.settled_at.unwrap_or(refund.requested_at),
                amount_cents: refund.amount_cents,
            })
            .collect();
        let refunded: u64 = refunds.iter().map(|refund| refund.amount_cents).sum();
        Some(Self {
            language,
            payment_id: payment.id.clone(),
            processor_reference: payment.processor_reference.clone(),
            application_number: application.number.clone(),
            application_type: application_type.name.get(language).to_owned(),
            payer,
            paid_at,
            lines: payment
                .items
                .iter()
                .map(|item| ReceiptLine { label: item.label.get(language).to_owned(), amount_cents: item.amount_cents })
                .collect(),
            total_cents: payment.total_cents,
            net_cents: payment.total_cents.saturating_sub(refunded),
            refunds,
            texts: ReceiptTexts::new(language),
        })
    }
}

/// The fixed texts of a receipt.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ReceiptTexts {
    /// The title.
    pub title: String,
    /// "Application number".
    pub application_number: String,
    /// "Application".
    pub application: String,
    /// "Paid by".
    pub payer: String,
    /// "Date paid".
    pub paid_at: String,
    /// "Payment reference".
    pub reference: String,
    /// "Processor reference".
    pub processor_reference: String,
    /// "Fee".
    pub fee: String,
    /// "Amount".
    pub amount: String,
    /// "Total paid".
    pub total: String,
    /// "Refunded".
    pub refunded: String,
    /// "Paid after refunds".
    pub net: String,
    /// That these fees carry no tax.
    pub no_tax: String,
    /// Who issues it.
    pub issuer: String,
}

impl ReceiptTexts {
    /// The texts in `language`.
    pub fn new(language: Language) -> Self {
        let text = |en: &str, fr: &str| match language {
            Language::En => en.to_owned(),
            Language::Fr => fr.to_owned(),
        };
        Self {
            title: text("Payment receipt", "Reçu de paiement"),
            application_number: text("Application number", "Numéro de demande"),
            application: text("Application", "Demande"),
            payer: text("Paid by", "Payé par"),
            paid_at: text("Date paid", "Date du paiement"),
            reference: text("Payment reference", "Référence du paiement"),
            processor_reference: text("Processor reference", "Référence du processeur"),
            fee: text("Fee", "Frais"),
            amount: text("Amount (CAD)", "Montant ($ CA)"),
            total: text("Total paid", "Total payé"),
            refunded: text("Refunded", "Remboursé"),
            net: text("Paid after refunds", "Payé après remboursements"),
            no_tax: text(
                "These fees are not subject to GST, HST or any other tax.",
                "Ces frais ne sont assujettis ni à la TPS, ni à la TVH, ni à aucune autre taxe.",
            ),
            issuer: text("Applicant portal, Immigration services", "Portail des demandeurs, Services d’immigration"),
        }
    }
}

/// An amount in cents as the reader writes it: `$1,234.50` in English, `1 234,50 $` in French.
pub fn money(cents: u64, language: Language) -> String {
    let (dollars, cents) = (cents / 100, cents % 100);
    let digits = dollars.to_string();
    let separator = match language {
        Language::En => ",",
        Language::Fr => "\u{a0}",
    };
    let mut grouped = String::new();
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            grouped.push_str(separator);
        }
        grouped.push(digit);
    }
    match language {
        Language::En => format!("${grouped}.{cents:02}"),
        Language::Fr => format!("{grouped},{cents:02}\u{a0}$"),
    }
}

/// A date (seconds since the epoch, UTC) as the reader writes it: `2026-12-01` is written
/// `December 1, 2026` and `1er décembre 2026`.
pub fn date(seconds: u64, language: Language) -> String {
    let (year, month, day) = civil_date(seconds);
    const EN: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    const FR: [&str; 12] = [
        "janvier",
        "février",
        "mars",
        "avril",
        "mai",
        "juin",
        "juillet",
        "août",
        "septembre",
        "octobre",
        "novembre",
        "décembre",
    ];
    let index = usize::try_from(month.saturating_sub(1)).unwrap_or(0);
    match language {
        Language::En => format!("{} {day}, {year}", EN[index]),
        Language::Fr if day == 1 => format!("1er {} {year}", FR[index]),
        Language::Fr => format!("{day} {} {year}", FR[index]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_and_dates_are_written_as_each_language_writes_them() {
        assert_eq!(money(18_500, Language::En), "$185.00");
        assert_eq!(money(123_456_789, Language::En), "$1,234,567.89");
        assert_eq!(money(18_500, Language::Fr), "185,00\u{a0}$");
        assert_eq!(money(123_456_789, Language::Fr), "1\u{a0}234\u{a0}567,89\u{a0}$");
        assert_eq!(money(5, Language::En), "$0.05");
        // 2026-12-01 and 2024-02-29 (a leap day).
        assert_eq!(date(1_796_083_200, Language::En), "December 1, 2026");
        assert_eq!(date(1_796_083_200, Language::Fr), "1er décembre 2026");
        assert_eq!(date(1_709_164_800, Language::Fr), "29 février 2024");
    }
}
