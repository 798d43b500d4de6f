//! Resolving a webhook's host for the private-target guard (the check itself is the
//! domain's [`refuse_private`]).

use std::net::IpAddr;
use std::time::Duration;

use hookrelay_domain::{refuse_private, TargetPolicy, ValidationError, WebhookUrl};

/// Resolves the URL's host and refuses non-public addresses unless the policy allows them.
pub async fn check_target(url: &WebhookUrl, policy: TargetPolicy) -> Result<(), ValidationError> {
    if policy == TargetPolicy::AllowPrivate {
        return Ok(());
    }
    let addrs = resolve(url).await?;
    refuse_private(policy, &addrs)
}

async fn resolve(url: &WebhookUrl) -> Result<Vec<IpAddr>, ValidationError> {
    let url = url.url();
    let port = url.port_or_known_default().unwrap_or(443);
    match url.host() {
        Some(url::Host::Ipv4(ip)) => Ok(vec![IpAddr::V4(ip)]),
        Some(url::Host::Ipv6(ip)) => Ok(vec![IpAddr::V6(ip)]),
        Some(url::Host::Domain(name)) => {
            let lookup = tokio::net::lookup_host((name, port));
            match tokio::time::timeout(Duration::from_secs(3), lookup).await {
                Ok(Ok(addrs)) => {
                    let ips: Vec<IpAddr> = addrs.map(|a| a.ip()).collect();
                    if ips.is_empty() {
                        Err(ValidationError::new("url", "host does not resolve"))
                    } else {
                        Ok(ips)
                    }
                }
                Ok(Err(_)) | Err(_) => Err(ValidationError::new("url", "host does not resolve")),
            }
        }
        None => Err(ValidationError::new("url", "must have a host")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn private_targets_refused_unless_allowed() {
        let url = WebhookUrl::parse("http://localhost:9/").expect("valid");
        assert!(check_target(&url, TargetPolicy::PublicOnly).await.is_err());
        assert!(check_target(&url, TargetPolicy::AllowPrivate).await.is_ok());
        let public = WebhookUrl::parse("http://93.184.216.34/").expect("valid");
        assert!(check_target(&public, TargetPolicy::PublicOnly)
            .await
            .is_ok());
    }
}
