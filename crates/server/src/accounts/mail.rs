//! Account mail: delivered over SMTP when `SMTP_URL` is set, else written as .eml files to
//! `ILLUSTRATOR_MAIL_DIR` (a local mail sink that tests and developers read).

use lettre::message::header::{ContentTransferEncoding, ContentType};
use lettre::message::{Body, Mailbox, SinglePart};
use lettre::{AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use super::AccountsError;
use super::config::AccountsConfig;

pub enum Mailer {
    Smtp {
        transport: AsyncSmtpTransport<Tokio1Executor>,
        from: Mailbox,
    },
    Files {
        transport: AsyncFileTransport<Tokio1Executor>,
        from: Mailbox,
    },
}

/// What a mail is for; each has its own subject and wording.
#[derive(Clone, Copy, Debug)]
pub enum MailKind {
    Verify,
    Reset,
}

impl Mailer {
    pub fn new(config: &AccountsConfig) -> anyhow::Result<Mailer> {
        let from: Mailbox = config
            .mail_from
            .parse()
            .map_err(|e| anyhow::anyhow!("reading ILLUSTRATOR_MAIL_FROM: {e}"))?;

        if let Some(url) = &config.smtp_url {
            let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url.expose())
                .map_err(|e| anyhow::anyhow!("reading SMTP_URL: {e}"))?
                .build();
            tracing::info!("account mail goes out over SMTP");
            return Ok(Mailer::Smtp { transport, from });
        }

        std::fs::create_dir_all(&config.mail_dir).map_err(|e| {
            anyhow::anyhow!(
                "creating ILLUSTRATOR_MAIL_DIR {}: {e}",
                config.mail_dir.display()
            )
        })?;
        let mail_dir = config.mail_dir.display();
        tracing::info!(mail_dir = %mail_dir, "account mail is written as .eml files");
        Ok(Mailer::Files {
            transport: AsyncFileTransport::new(&config.mail_dir),
            from,
        })
    }

    /// Sends the mail that carries `link` (which holds the one-time token).
    pub async fn send(&self, kind: MailKind, to: &str, link: &str) -> Result<(), AccountsError> {
        let (subject, text) = wording(kind, link);
        self.send_text(to, subject, &text).await
    }

    /// Sends a plain text mail.
    pub async fn send_text(
        &self,
        to: &str,
        subject: &str,
        text: &str,
    ) -> Result<(), AccountsError> {
        let to: Mailbox = to
            .parse()
            .map_err(|_| AccountsError::Invalid("not a deliverable address".into()))?;
        let from = match self {
            Mailer::Smtp { from, .. } | Mailer::Files { from, .. } => from.clone(),
        };

        // Written as 7-bit text so that the link stays on one line, as mail clients and the
        // tests that follow it expect; lines stay far below the limit of 998 characters.
        let crlf = text.replace('\n', "\r\n");
        let body =
            Body::dangerous_pre_encoded(crlf.into_bytes(), ContentTransferEncoding::SevenBit);
        let part = SinglePart::builder()
            .header(ContentType::TEXT_PLAIN)
            .body(body);
        let message = Message::builder()
            .from(from)
            .to(to)
            .subject(subject)
            .singlepart(part)
            .map_err(|e| AccountsError::Internal(format!("building mail: {e}")))?;

        let sent = match self {
            Mailer::Smtp { transport, .. } => transport
                .send(message)
                .await
                .map(drop)
                .map_err(|e| e.to_string()),
            Mailer::Files { transport, .. } => transport
                .send(message)
                .await
                .map(drop)
                .map_err(|e| e.to_string()),
        };
        sent.map_err(AccountsError::Mail)
    }
}

fn wording(kind: MailKind, link: &str) -> (&'static str, String) {
    match kind {
        MailKind::Verify => (
            "Confirm your address",
            format!(
                "Welcome to Markdown Illustrator.\n\n\
                 Confirm your address by opening this link within 24 hours:\n\n{link}\n\n\
                 If you did not sign up, ignore this mail.\n"
            ),
        ),
        MailKind::Reset => (
            "Reset your password",
            format!(
                "Someone asked to reset the password of this account.\n\n\
                 Choose a new password through this link within 1 hour:\n\n{link}\n\n\
                 If it was not you, ignore this mail; the password stays as it is.\n"
            ),
        ),
    }
}
