//! The job message: the domain's [`DeliveryJob`] as protobuf (`proto/`), one job or a
//! pack of up to 64 per broker message. Only this module sees the generated types.

use std::time::Duration;

use prost::Message;

use hookrelay_domain::delivery::DeliveryJob;
use hookrelay_domain::flow::Endpoint;
use uuid::Uuid;

/// Generated protobuf messages of `proto/`: only this module converts them.
mod proto {
    include!(concat!(env!("OUT_DIR"), "/hookrelay.v1.rs"));
}

/// Most jobs packed into one broker message.
pub const MAX_JOBS_PER_MESSAGE: usize = 64;

/// AMQP `type` of a message holding several jobs ([`proto::DeliveryJobs`]); a message
/// without it holds one job.
pub(super) const PACKED: &str = "hookrelay.v1.DeliveryJobs";

/// The job as the wire message, published now and reaching the work queue after `delay`
/// (zero, or the TTL of the delay queue it goes through).
fn job_message(job: &DeliveryJob, delay: Duration) -> proto::DeliveryJob {
    let delay_ms = i64::try_from(delay.as_millis()).unwrap_or(i64::MAX);
    proto::DeliveryJob {
        delivery_id: job.delivery_id().to_string(),
        attempt: job.attempt(),
        traceparent: job.traceparent().unwrap_or_default().to_string(),
        due_at_ms: job.due().map_or(0, |t| t.timestamp_millis()),
        ready_at_ms: chrono::Utc::now()
            .timestamp_millis()
            .saturating_add(delay_ms),
        endpoint: job.endpoint().map(|e| proto::Endpoint {
            tenant_id: e.tenant_id.as_bytes().to_vec(),
            webhook_id: e.webhook_id.as_bytes().to_vec(),
        }),
    }
}

/// The message body of one job published now that reaches the work queue after `delay`.
pub(super) fn encode_job(job: &DeliveryJob, delay: Duration) -> Vec<u8> {
    job_message(job, delay).encode_to_vec()
}

/// The message body of several jobs (AMQP `type` [`PACKED`]).
pub(super) fn encode_jobs(jobs: &[&DeliveryJob], delay: Duration) -> Vec<u8> {
    proto::DeliveryJobs {
        jobs: jobs.iter().map(|job| job_message(job, delay)).collect(),
    }
    .encode_to_vec()
}

/// A message body that is not a job.
#[derive(Debug, thiserror::Error)]
pub enum JobDecodeError {
    #[error("undecodable job message")]
    Protobuf(#[from] prost::DecodeError),
    #[error("job with a malformed delivery id {0:?}")]
    DeliveryId(String),
    #[error("a packed message without jobs")]
    Empty,
    #[error("job with a malformed endpoint")]
    Endpoint,
}

/// A job read back, with when it became ready in the work queue (absent in messages of
/// earlier versions).
pub type ReceivedJob = (DeliveryJob, Option<chrono::DateTime<chrono::Utc>>);

fn job_of(message: proto::DeliveryJob) -> Result<ReceivedJob, JobDecodeError> {
    let id: Uuid = message
        .delivery_id
        .parse()
        .map_err(|_| JobDecodeError::DeliveryId(message.delivery_id.clone()))?;
    let due_at = (message.due_at_ms > 0)
        .then(|| chrono::DateTime::from_timestamp_millis(message.due_at_ms))
        .flatten();
    let ready_at = (message.ready_at_ms > 0)
        .then(|| chrono::DateTime::from_timestamp_millis(message.ready_at_ms))
        .flatten();
    let endpoint = message
        .endpoint
        .map(|e| {
            Ok::<_, JobDecodeError>(Endpoint {
                tenant_id: Uuid::from_slice(&e.tenant_id).map_err(|_| JobDecodeError::Endpoint)?,
                webhook_id: Uuid::from_slice(&e.webhook_id)
                    .map_err(|_| JobDecodeError::Endpoint)?,
            })
        })
        .transpose()?;
    let job = DeliveryJob::new(id, message.attempt, Some(message.traceparent))
        .due_at(due_at)
        .to_maybe(endpoint);
    Ok((job, ready_at))
}

/// Reads a message body back as one job.
fn decode_job(body: &[u8]) -> Result<ReceivedJob, JobDecodeError> {
    job_of(proto::DeliveryJob::decode(body)?)
}

/// Reads a received message back as its jobs, by its AMQP `type`: one job, or several.
pub fn decode_jobs(kind: Option<&str>, body: &[u8]) -> Result<Vec<ReceivedJob>, JobDecodeError> {
    if kind != Some(PACKED) {
        return Ok(vec![decode_job(body)?]);
    }
    let jobs = proto::DeliveryJobs::decode(body)?
        .jobs
        .into_iter()
        .map(job_of)
        .collect::<Result<Vec<_>, _>>()?;
    if jobs.is_empty() {
        return Err(JobDecodeError::Empty);
    }
    Ok(jobs)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::queue::{Topology, ROUTING_KEY};

    #[test]
    fn jobs_carry_their_endpoint_and_are_routed_to_its_shard() {
        let endpoint = Endpoint {
            tenant_id: Uuid::now_v7(),
            webhook_id: Uuid::now_v7(),
        };
        let job = DeliveryJob::new(Uuid::now_v7(), 2, None).to(endpoint);
        let (decoded, _) = decode_job(&encode_job(&job, Duration::ZERO)).expect("decodes");
        assert_eq!(decoded.endpoint(), Some(endpoint));
        assert_eq!(decoded.next_attempt().endpoint(), Some(endpoint));
        let t = Topology::new("x", &[5]).with_shards(8);
        let shard = endpoint.shard(8);
        assert_eq!(t.routing_key(&job), format!("shard.{shard}"));
        assert_eq!(t.shard_queue(shard), format!("x.deliveries.{shard}"));
        // A job of an earlier version has no endpoint: the unsharded queue.
        let old = DeliveryJob::new(Uuid::now_v7(), 1, None);
        assert_eq!(t.routing_key(&old), ROUTING_KEY);
        assert_eq!(t.consumed_queues().len(), 9);
        assert_eq!(t.consumed_queues()[8], "x.deliveries");
        let mut bad = job_message(&job, Duration::ZERO);
        bad.endpoint = Some(proto::Endpoint {
            tenant_id: vec![1, 2],
            webhook_id: vec![],
        });
        assert!(matches!(
            decode_job(&bad.encode_to_vec()),
            Err(JobDecodeError::Endpoint)
        ));
    }

    #[test]
    fn packed_jobs_round_trip_and_only_their_type_unpacks_them() {
        let jobs: Vec<DeliveryJob> = (1..=3)
            .map(|n| DeliveryJob::new(Uuid::now_v7(), n, Some(format!("00-{n}-x-01"))))
            .collect();
        let body = encode_jobs(&jobs.iter().collect::<Vec<_>>(), Duration::ZERO);
        let decoded = decode_jobs(Some(PACKED), &body).expect("decodes");
        assert_eq!(
            decoded
                .iter()
                .map(|(job, _)| job.clone())
                .collect::<Vec<_>>(),
            jobs
        );
        assert!(decoded.iter().all(|(_, ready)| ready.is_some()));
        // A single job's message decodes as one job, with or without another type.
        let one = encode_job(&jobs[0], Duration::ZERO);
        assert_eq!(decode_jobs(None, &one).expect("one")[0].0, jobs[0]);
        assert_eq!(decode_jobs(Some("other"), &one).expect("one").len(), 1);
        // An empty pack or a bad id in one is refused, not half-processed.
        let empty = proto::DeliveryJobs { jobs: vec![] }.encode_to_vec();
        assert!(matches!(
            decode_jobs(Some(PACKED), &empty),
            Err(JobDecodeError::Empty)
        ));
        let mut bad = proto::DeliveryJobs::decode(body.as_slice()).expect("pack");
        bad.jobs[1].delivery_id = "nope".into();
        assert!(matches!(
            decode_jobs(Some(PACKED), &bad.encode_to_vec()),
            Err(JobDecodeError::DeliveryId(_))
        ));
    }

    #[test]
    fn jobs_round_trip_and_bad_messages_are_refused() {
        let job = DeliveryJob::new(Uuid::now_v7(), 3, Some("00-abc-def-01".into()));
        let (decoded, ready) = decode_job(&encode_job(&job, Duration::ZERO)).expect("decodes");
        assert_eq!(decoded, job);
        let age = chrono::Utc::now() - ready.expect("stamped when encoded");
        assert!((0..5_000).contains(&age.num_milliseconds()), "{age}");
        let untraced = DeliveryJob::new(Uuid::now_v7(), 1, None);
        assert_eq!(
            decode_job(&encode_job(&untraced, Duration::ZERO))
                .expect("decodes")
                .0,
            untraced
        );
        // A job sent through a delay queue is ready when the queue's TTL has passed.
        let due = chrono::DateTime::from_timestamp_millis(1_800_000_000_123);
        let later = DeliveryJob::new(Uuid::now_v7(), 2, None).due_at(due);
        let (decoded, ready) =
            decode_job(&encode_job(&later, Duration::from_secs(25))).expect("decodes");
        assert_eq!(decoded.due(), due);
        let ahead = ready.expect("stamped when encoded") - chrono::Utc::now();
        assert!(
            (20_000..=25_000).contains(&ahead.num_milliseconds()),
            "{ahead}"
        );
        assert!(matches!(
            decode_job(b"\xff\xff"),
            Err(JobDecodeError::Protobuf(_))
        ));
        let bad_id = proto::DeliveryJob {
            delivery_id: "nope".into(),
            attempt: 1,
            traceparent: String::new(),
            due_at_ms: 0,
            ready_at_ms: 0,
            endpoint: None,
        }
        .encode_to_vec();
        assert!(matches!(
            decode_job(&bad_id),
            Err(JobDecodeError::DeliveryId(_))
        ));
    }
}
