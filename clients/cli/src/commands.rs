//! The commands: each parses its flags (clap), makes its calls and prints.

use std::time::Duration;

use clap::{Args, Parser, Subcommand, ValueEnum};
use eventsource_stream::Eventsource;
use futures::StreamExt;
use reqwest::Method;
use serde_json::{json, Value};

use crate::client::{query, Api, CliError};
use crate::output;

#[derive(Parser)]
#[command(
    name = "hookrelay",
    version,
    about = "hookrelay from the command line: webhooks, events, deliveries, replays, and `tail` to follow deliveries live."
)]
pub struct Cli {
    /// The API's base URL.
    #[arg(
        long,
        env = "HOOKRELAY_API_URL",
        default_value = "http://127.0.0.1:8080",
        global = true
    )]
    pub api_url: String,
    /// A tenant API key (`hr_...`) or a portal token.
    #[arg(
        long,
        env = "HOOKRELAY_TOKEN",
        hide_env_values = true,
        default_value = "",
        global = true
    )]
    pub token: String,
    /// Print the API's JSON instead of a table.
    #[arg(long, global = true)]
    pub json: bool,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand)]
pub enum Command {
    /// Webhook subscriptions.
    #[command(subcommand)]
    Webhooks(Webhooks),
    /// Publish events.
    #[command(subcommand)]
    Events(Events),
    /// Deliveries: one event to one webhook.
    #[command(subcommand)]
    Deliveries(Deliveries),
    /// Send a webhook's deliveries of a window again (and what it missed).
    Replay(ReplayArgs),
    /// Follow a webhook's attempts as they happen, one line each.
    Tail {
        /// The webhook's id.
        webhook: String,
    },
}

#[derive(Subcommand)]
pub enum Webhooks {
    /// List webhooks (all pages).
    List {
        /// Part of the name or URL.
        #[arg(long)]
        search: Option<String>,
        /// Only webhooks whose circuit is open or whose latest attempt failed.
        #[arg(long)]
        failing: bool,
        /// Only enabled (`true`) or disabled (`false`) ones.
        #[arg(long)]
        enabled: Option<bool>,
    },
    /// Show one webhook.
    Get { id: String },
    /// Create a webhook; prints its signing secret once.
    Create(CreateWebhook),
    /// Change a webhook (only the flags given).
    Update(UpdateWebhook),
    /// Delete a webhook (pending deliveries to it are cancelled).
    Delete { id: String },
    /// Send a signed test event now; exits 5 if the receiver does not answer 2xx.
    Test {
        id: String,
        /// The event type to send as.
        #[arg(long)]
        event_type: Option<String>,
        /// The event's data, a JSON object (default: the catalogue's example).
        #[arg(long)]
        payload: Option<String>,
    },
}

/// A webhook's body format.
#[derive(Clone, Copy, ValueEnum)]
#[value(rename_all = "lowercase")]
pub enum PayloadFormat {
    Envelope,
    Flat,
    Wrapped,
    Cloudevents,
}

/// How a webhook's deliveries are signed.
#[derive(Clone, Copy, ValueEnum)]
pub enum SignatureScheme {
    #[value(name = "hmac-sha256")]
    HmacSha256,
    #[value(name = "ed25519")]
    Ed25519,
}

/// A delivery's status.
#[derive(Clone, Copy, ValueEnum)]
#[value(rename_all = "lowercase")]
pub enum DeliveryStatus {
    Pending,
    Succeeded,
    Failed,
    Cancelled,
}

/// The API's name of a value: clap's, which is the API's.
fn api_name(v: impl ValueEnum) -> String {
    v.to_possible_value()
        .map(|p| p.get_name().to_string())
        .unwrap_or_default()
}

#[derive(Args)]
pub struct CreateWebhook {
    #[arg(long)]
    name: String,
    #[arg(long)]
    url: String,
    /// An event type, `prefix.*` or `*`; repeat for more.
    #[arg(long = "event-type", required = true)]
    event_types: Vec<String>,
    #[arg(long)]
    description: Option<String>,
    #[arg(long, value_enum)]
    payload_format: Option<PayloadFormat>,
    #[arg(long, value_enum)]
    signature_scheme: Option<SignatureScheme>,
    /// Create it disabled.
    #[arg(long)]
    disabled: bool,
}

#[derive(Args)]
pub struct UpdateWebhook {
    id: String,
    #[arg(long)]
    name: Option<String>,
    #[arg(long)]
    url: Option<String>,
    /// Replaces the event types; repeat for more.
    #[arg(long = "event-type")]
    event_types: Vec<String>,
    #[arg(long)]
    description: Option<String>,
    #[arg(long, conflicts_with = "disable")]
    enable: bool,
    #[arg(long)]
    disable: bool,
}

#[derive(Subcommand)]
pub enum Events {
    /// Publish an event: `hookrelay events send order.created '{"id": 1}'`.
    Send {
        event_type: String,
        /// The event's data (JSON).
        data: String,
        /// Makes a retried send safe: the same key gives back the first event.
        #[arg(long)]
        idempotency_key: Option<String>,
        /// Orders the event within its key on FIFO webhooks.
        #[arg(long)]
        ordering_key: Option<String>,
    },
}

#[derive(Subcommand)]
pub enum Deliveries {
    /// List deliveries, newest first.
    List {
        #[arg(long)]
        webhook: Option<String>,
        #[arg(long, value_enum)]
        status: Option<DeliveryStatus>,
        /// An event type or `prefix.*`.
        #[arg(long)]
        event_type: Option<String>,
        /// At most this many (1-100).
        #[arg(long, default_value_t = 20)]
        limit: u32,
    },
    /// Send a finished delivery again.
    Replay { id: String },
}

#[derive(Args)]
pub struct ReplayArgs {
    /// The webhook's id.
    webhook: String,
    /// From when: RFC 3339, or a duration back from now (`2h`, `3d`).
    #[arg(long)]
    since: String,
    /// Every finished delivery, not only the failed ones.
    #[arg(long)]
    all: bool,
    /// Also deliver the events it missed while disabled.
    #[arg(long)]
    include_missed: bool,
    /// Start it and return; by default the command follows it to its end.
    #[arg(long)]
    no_wait: bool,
}

/// An instant given as RFC 3339 or as a duration back from now.
fn instant(s: &str) -> Result<String, CliError> {
    if chrono::DateTime::parse_from_rfc3339(s).is_ok() {
        return Ok(s.to_string());
    }
    let back = humantime::parse_duration(s).map_err(|e| {
        CliError::Outcome(format!("--since {s:?}: not RFC 3339 nor a duration ({e})"))
    })?;
    let back = chrono::Duration::from_std(back)
        .map_err(|_| CliError::Outcome(format!("--since {s:?} is too far back")))?;
    Ok((chrono::Utc::now() - back).to_rfc3339())
}

/// `s` parsed as JSON, or an error naming `what`.
fn parse_json(what: &str, s: &str) -> Result<Value, CliError> {
    serde_json::from_str(s).map_err(|e| CliError::Outcome(format!("{what} is not valid JSON: {e}")))
}

const WEBHOOK_COLUMNS: [(&str, &str); 6] = [
    ("ID", "id"),
    ("NAME", "name"),
    ("URL", "url"),
    ("EVENTS", "event_types"),
    ("ENABLED", "enabled"),
    ("SUCCESS 24H", "success_rate_24h"),
];

const WEBHOOK_FIELDS: [(&str, &str); 10] = [
    ("id", "id"),
    ("name", "name"),
    ("url", "url"),
    ("event types", "event_types"),
    ("enabled", "enabled"),
    ("payload format", "payload_format"),
    ("signature scheme", "signature_scheme"),
    ("circuit", "circuit.state"),
    ("success 24 h", "success_rate_24h"),
    ("last execution", "last_execution_at"),
];

fn show(json: bool, value: &Value, fields: &[(&str, &str)]) {
    if json {
        output::json(value);
    } else {
        output::record(value, fields);
    }
}

pub async fn run(api: &Api, json_out: bool, command: Command) -> Result<(), CliError> {
    match command {
        Command::Webhooks(w) => webhooks(api, json_out, w).await,
        Command::Events(Events::Send {
            event_type,
            data,
            idempotency_key,
            ordering_key,
        }) => {
            let mut body =
                json!({"event_type": event_type, "data": parse_json("the data", &data)?});
            if let Some(k) = ordering_key {
                body["ordering_key"] = json!(k);
            }
            let mut request = api.request(Method::POST, "/v1/events").json(&body);
            if let Some(k) = idempotency_key {
                request = request.header("idempotency-key", k);
            }
            let event = api.send(request).await?;
            show(
                json_out,
                &event,
                &[
                    ("id", "id"),
                    ("event type", "event_type"),
                    ("deliveries", "deliveries"),
                ],
            );
            Ok(())
        }
        Command::Deliveries(Deliveries::List {
            webhook,
            status,
            event_type,
            limit,
        }) => {
            let page = api
                .get(&format!(
                    "/v1/deliveries{}",
                    query(&[
                        ("webhook_id", webhook),
                        ("status", status.map(api_name)),
                        ("event_type", event_type),
                        ("limit", Some(limit.to_string())),
                    ])
                ))
                .await?;
            if json_out {
                output::json(&page["items"]);
            } else {
                output::table(
                    page["items"]
                        .as_array()
                        .map(Vec::as_slice)
                        .unwrap_or_default(),
                    &[
                        ("ID", "id"),
                        ("EVENT TYPE", "event_type"),
                        ("STATUS", "status"),
                        ("ATTEMPTS", "attempts"),
                        ("LAST CODE", "last_response_code"),
                        ("CREATED", "created_at"),
                    ],
                );
            }
            Ok(())
        }
        Command::Deliveries(Deliveries::Replay { id }) => {
            let d = api
                .post(&format!("/v1/deliveries/{id}/replay"), &json!({}))
                .await?;
            show(
                json_out,
                &d,
                &[("id", "id"), ("status", "status"), ("attempts", "attempts")],
            );
            Ok(())
        }
        Command::Replay(r) => replay(api, json_out, r).await,
        Command::Tail { webhook } => tail(api, json_out, &webhook).await,
    }
}

async fn webhooks(api: &Api, json_out: bool, command: Webhooks) -> Result<(), CliError> {
    match command {
        Webhooks::List {
            search,
            failing,
            enabled,
        } => {
            let mut items = Vec::new();
            let mut cursor: Option<String> = None;
            loop {
                let page = api
                    .get(&format!(
                        "/v1/webhooks{}",
                        query(&[
                            ("limit", Some("100".into())),
                            ("search", search.clone()),
                            ("failing", failing.then(|| "true".into())),
                            ("enabled", enabled.map(|e| e.to_string())),
                            ("cursor", cursor.clone()),
                        ])
                    ))
                    .await?;
                items.extend(page["items"].as_array().cloned().unwrap_or_default());
                match page["next_cursor"].as_str() {
                    Some(next) => cursor = Some(next.to_string()),
                    None => break,
                }
            }
            if json_out {
                output::json(&Value::Array(items));
            } else {
                output::table(&items, &WEBHOOK_COLUMNS);
            }
            Ok(())
        }
        Webhooks::Get { id } => {
            let w = api.get(&format!("/v1/webhooks/{id}")).await?;
            show(json_out, &w, &WEBHOOK_FIELDS);
            Ok(())
        }
        Webhooks::Create(c) => {
            let mut body = json!({"name": c.name, "url": c.url, "event_types": c.event_types, "enabled": !c.disabled});
            for (k, v) in [
                ("description", c.description),
                ("payload_format", c.payload_format.map(api_name)),
                ("signature_scheme", c.signature_scheme.map(api_name)),
            ] {
                if let Some(v) = v {
                    body[k] = json!(v);
                }
            }
            let w = api.post("/v1/webhooks", &body).await?;
            let mut fields = WEBHOOK_FIELDS.to_vec();
            fields.push(("secret", "secret"));
            fields.push(("public key", "public_key"));
            show(json_out, &w, &fields);
            Ok(())
        }
        Webhooks::Update(u) => {
            let mut body = json!({});
            if let Some(v) = u.name {
                body["name"] = json!(v);
            }
            if let Some(v) = u.url {
                body["url"] = json!(v);
            }
            if let Some(v) = u.description {
                body["description"] = json!(v);
            }
            if !u.event_types.is_empty() {
                body["event_types"] = json!(u.event_types);
            }
            if u.enable || u.disable {
                body["enabled"] = json!(u.enable);
            }
            let w = api
                .send(
                    api.request(Method::PATCH, &format!("/v1/webhooks/{}", u.id))
                        .json(&body),
                )
                .await?;
            show(json_out, &w, &WEBHOOK_FIELDS);
            Ok(())
        }
        Webhooks::Delete { id } => {
            api.send(api.request(Method::DELETE, &format!("/v1/webhooks/{id}")))
                .await?;
            if !json_out {
                println!("deleted {id}");
            }
            Ok(())
        }
        Webhooks::Test {
            id,
            event_type,
            payload,
        } => {
            let mut body = json!({});
            if let Some(t) = event_type {
                body["event_type"] = json!(t);
            }
            if let Some(p) = payload {
                body["payload"] = parse_json("--payload", &p)?;
            }
            let r = api.post(&format!("/v1/webhooks/{id}/test"), &body).await?;
            show(
                json_out,
                &r,
                &[
                    ("success", "success"),
                    ("response code", "response_code"),
                    ("seconds", "execution_time"),
                    ("event type", "event_type"),
                    ("error", "error"),
                    ("response", "response_excerpt"),
                ],
            );
            if r["success"] == Value::Bool(true) {
                Ok(())
            } else {
                Err(CliError::Outcome(
                    "the receiver did not accept the test".into(),
                ))
            }
        }
    }
}

async fn replay(api: &Api, json_out: bool, r: ReplayArgs) -> Result<(), CliError> {
    let body = json!({
        "since": instant(&r.since)?,
        "status": if r.all { "all" } else { "failed" },
        "include_missed": r.include_missed,
    });
    let started = api
        .post(&format!("/v1/webhooks/{}/replay", r.webhook), &body)
        .await?;
    let id = started["id"]
        .as_str()
        .ok_or_else(|| CliError::Unexpected("a replay without an id".into()))?
        .to_string();
    if !json_out {
        println!("replay {id}: {} deliveries", started["count"]);
    }
    if r.no_wait {
        if json_out {
            output::json(&started);
        }
        return Ok(());
    }
    let done = loop {
        let state = api.get(&format!("/v1/replays/{id}")).await?;
        if state["state"] != "running" {
            break state;
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    };
    show(
        json_out,
        &done,
        &[
            ("state", "state"),
            ("count", "count"),
            ("replayed", "replayed"),
            ("missed delivered", "created"),
            ("error", "error"),
        ],
    );
    match done["state"].as_str() {
        Some("completed") => Ok(()),
        other => Err(CliError::Outcome(format!(
            "the replay ended {}",
            other.unwrap_or("?")
        ))),
    }
}

/// Follows `GET /v1/webhooks/{id}/logs/stream`, reconnecting when the server ends it.
async fn tail(api: &Api, json_out: bool, webhook: &str) -> Result<(), CliError> {
    let path = format!("/v1/webhooks/{webhook}/logs/stream");
    loop {
        let response = api
            .request(Method::GET, &path)
            .header("accept", "text/event-stream")
            .send()
            .await
            .map_err(|source| CliError::Unreachable {
                url: path.clone(),
                source,
            })?;
        if !response.status().is_success() {
            // The same error handling as every other call.
            api.send(api.request(Method::GET, &path)).await?;
            return Err(CliError::Unexpected(format!(
                "the stream answered {}",
                response.status()
            )));
        }
        if !json_out {
            eprintln!("following webhook {webhook} (Ctrl-C stops)");
        }
        let mut events = response.bytes_stream().eventsource();
        while let Some(event) = events.next().await {
            let event = event.map_err(|e| CliError::Unexpected(e.to_string()))?;
            if event.event != "attempt" {
                continue;
            }
            let entry: Value = serde_json::from_str(&event.data)
                .map_err(|e| CliError::Unexpected(format!("an attempt that is not JSON: {e}")))?;
            if json_out {
                println!("{}", entry);
            } else {
                println!("{}", output::attempt_line(&entry));
            }
        }
        // The server closes a stream after an hour: pick it up again.
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn since_takes_a_time_or_a_duration_back() {
        assert_eq!(
            instant("2026-12-01T00:00:00Z").unwrap(),
            "2026-12-01T00:00:00Z"
        );
        let back = chrono::DateTime::parse_from_rfc3339(&instant("2h").unwrap()).unwrap();
        let hours = (chrono::Utc::now() - back.with_timezone(&chrono::Utc)).num_minutes();
        assert!((119..=121).contains(&hours), "{hours}");
        assert!(instant("yesterday-ish").is_err());
    }

    #[test]
    fn the_command_line_parses() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
        let cli =
            Cli::try_parse_from(["hookrelay", "--json", "events", "send", "a.b", "{}"]).unwrap();
        assert!(cli.json && matches!(cli.command, Command::Events(Events::Send { .. })));
        assert!(Cli::try_parse_from([
            "hookrelay",
            "webhooks",
            "update",
            "x",
            "--enable",
            "--disable"
        ])
        .is_err());
    }
}
