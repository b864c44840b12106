//! The `Notifier` port in AWS: email through SES v2 from the portal's verified sender, text
//! messages through SNS straight to a phone number (transactional, so they are delivered even
//! to numbers that opted out of promotional texts). Logs never carry addresses or texts (L2).

use async_trait::async_trait;
use aws_sdk_sesv2::types::{Body, Content, Destination, EmailContent, Message as EmailMessage};
use aws_sdk_sns::types::MessageAttributeValue;
use portal_domain::notifier::{Channel, Message, Notifier, NotifyError};

/// Sends email with SES v2 and SMS with SNS.
#[derive(Clone, Debug)]
pub struct AwsNotifier {
    ses: aws_sdk_sesv2::Client,
    sns: aws_sdk_sns::Client,
    sender: String,
}

fn failed(error: impl std::error::Error + Send + Sync + 'static) -> NotifyError {
    NotifyError(Box::new(error))
}

fn utf8(text: String) -> Result<Content, NotifyError> {
    Content::builder().data(text).charset("UTF-8").build().map_err(failed)
}

impl AwsNotifier {
    /// A notifier sending email from `sender` (an identity verified in SES).
    pub fn new(ses: aws_sdk_sesv2::Client, sns: aws_sdk_sns::Client, sender: impl Into<String>) -> Self {
        Self { ses, sns, sender: sender.into() }
    }
}

#[async_trait]
impl Notifier for AwsNotifier {
    async fn send(&self, message: Message) -> Result<(), NotifyError> {
        match message.channel {
            Channel::Email => {
                let body = Body::builder().text(utf8(message.body)?).build();
                let email = EmailMessage::builder().subject(utf8(message.subject)?).body(body).build();
                self.ses
                    .send_email()
                    .from_email_address(&self.sender)
                    .destination(Destination::builder().to_addresses(message.to).build())
                    .content(EmailContent::builder().simple(email).build())
                    .send()
                    .await
                    .map_err(failed)?;
            }
            Channel::Sms => {
                let transactional =
                    MessageAttributeValue::builder().data_type("String").string_value("Transactional").build();
                self.sns
                    .publish()
                    .phone_number(message.to)
                    .message(message.body)
                    .message_attributes("AWS.SNS.SMS.SMSType", transactional.map_err(failed)?)
                    .send()
                    .await
                    .map_err(failed)?;
            }
        }
        tracing::info!(channel = ?message.channel, "notification sent");
        Ok(())
    }
}
