//! Webhook target URLs and the guard against delivering into private networks (SSRF).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use url::Url;

use super::ValidationError;

/// Longest accepted URL.
pub const URL_MAX_LEN: usize = 2048;

/// Whether targets may resolve to non-public addresses (`delivery.allow_private_targets`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TargetPolicy {
    PublicOnly,
    AllowPrivate,
}

/// A syntactically valid http(s) URL without credentials.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookUrl(Url);

impl WebhookUrl {
    /// Checks scheme, length, host and credentials; no network access.
    pub fn parse(s: &str) -> Result<Self, ValidationError> {
        let err = |m: &str| ValidationError::new("url", m);
        if s.len() > URL_MAX_LEN {
            return Err(err(&format!("must be at most {URL_MAX_LEN} characters")));
        }
        let url = Url::parse(s).map_err(|e| err(&format!("is not a valid URL: {e}")))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(err("scheme must be http or https"));
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(err("must not contain credentials"));
        }
        if url.host().is_none() {
            return Err(err("must have a host"));
        }
        if url.fragment().is_some() {
            return Err(err("must not contain a fragment"));
        }
        Ok(Self(url))
    }

    /// The parsed URL (hosts are resolved by the caller, at the edge).
    pub fn url(&self) -> &Url {
        &self.0
    }

    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }
}

/// Refuses a target whose resolved addresses include a non-public one, unless the
/// policy allows private targets.
pub fn refuse_private(policy: TargetPolicy, addrs: &[IpAddr]) -> Result<(), ValidationError> {
    if policy == TargetPolicy::AllowPrivate {
        return Ok(());
    }
    match addrs.iter().find(|ip| !is_public_ip(**ip)) {
        Some(ip) => Err(ValidationError::new(
            "url",
            format!("resolves to a non-public address ({ip}); private targets are not allowed"),
        )),
        None => Ok(()),
    }
}

/// Whether an address is globally routable (not loopback, private, link-local, CGNAT,
/// documentation, multicast, reserved...).
pub fn is_public_ip(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => is_public_v6(v6),
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    !(ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_broadcast()
        || ip.is_documentation()
        || ip.is_multicast()
        || a == 0
        || a >= 240
        || (a == 100 && (64..128).contains(&b)) // CGNAT 100.64/10
        || (a == 192 && b == 0 && c == 0) // IETF protocol assignments
        || (a == 198 && (b == 18 || b == 19))) // benchmarking 198.18/15
}

fn is_public_v6(ip: Ipv6Addr) -> bool {
    if let Some(v4) = ip.to_ipv4_mapped() {
        return is_public_v4(v4);
    }
    let seg = ip.segments();
    let v4_at = |hi: u16, lo: u16| Ipv4Addr::from((u32::from(hi) << 16) | u32::from(lo));
    // IPv4-translated ::ffff:0:a.b.c.d (SIIT) reaches the IPv4 address it holds.
    if seg[0..4] == [0, 0, 0, 0] && seg[4] == 0xffff && seg[5] == 0 {
        return is_public_v4(v4_at(seg[6], seg[7]));
    }
    // 6to4 2002:AABB:CCDD::/48 is relayed to the IPv4 address AA.BB.CC.DD.
    if seg[0] == 0x2002 {
        return is_public_v4(v4_at(seg[1], seg[2]));
    }
    !(ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_multicast()
        || (seg[0] & 0xfe00) == 0xfc00 // unique local fc00::/7
        || (seg[0] & 0xffc0) == 0xfe80 // link-local fe80::/10
        || (seg[0] & 0xffc0) == 0xfec0 // site-local fec0::/10 (deprecated, still routed inside)
        || (seg[0] == 0x2001 && seg[1] == 0) // Teredo 2001::/32 tunnels to hidden IPv4 hosts
        || (seg[0] == 0x2001 && seg[1] == 0x0db8) // documentation
        || (seg[0] == 0x0064 && seg[1] == 0xff9b) // NAT64 may reach private v4
        || seg[0] == 0x0100 // discard-only
        || (seg[0..6] == [0, 0, 0, 0, 0, 0])) // IPv4-compatible (deprecated)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_rules() {
        assert!(WebhookUrl::parse("https://example.com/hook?a=1").is_ok());
        assert!(WebhookUrl::parse("http://93.184.216.34:8080/").is_ok());
        for bad in [
            "ftp://example.com/",
            "https://user:pw@example.com/",
            "https://user@example.com/",
            "example.com/hook",
            "https://",
            "javascript:alert(1)",
            "https://example.com/#frag",
        ] {
            assert!(WebhookUrl::parse(bad).is_err(), "{bad} accepted");
        }
        let long = format!("https://example.com/{}", "a".repeat(URL_MAX_LEN));
        assert!(WebhookUrl::parse(&long).is_err());
    }

    #[test]
    fn address_classes() {
        for private in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "0.0.0.0",
            "100.64.0.1",
            "224.0.0.1",
            "255.255.255.255",
            "::1",
            "fe80::1",
            "fd00::1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
            "64:ff9b::a00:1",
            "2002:7f00:1::",
            "2002:c0a8:101::1",
            "2001:0:4136:e378:8000:63bf:3fff:fdd2",
            "::ffff:0:127.0.0.1",
            "::ffff:0:a00:1",
            "fec0::1",
        ] {
            assert!(
                !is_public_ip(private.parse().expect("ip")),
                "{private} public"
            );
        }
        for public in [
            "93.184.216.34",
            "8.8.8.8",
            "2606:4700::1111",
            "::ffff:8.8.8.8",
            "2002:808:808::1",
            "::ffff:0:8.8.8.8",
        ] {
            assert!(
                is_public_ip(public.parse().expect("ip")),
                "{public} private"
            );
        }
    }

    #[test]
    fn private_targets_refused_unless_allowed() {
        let local: Vec<IpAddr> = vec!["127.0.0.1".parse().expect("ip")];
        assert!(refuse_private(TargetPolicy::PublicOnly, &local).is_err());
        assert!(refuse_private(TargetPolicy::AllowPrivate, &local).is_ok());
        let public: Vec<IpAddr> = vec!["93.184.216.34".parse().expect("ip")];
        assert!(refuse_private(TargetPolicy::PublicOnly, &public).is_ok());
    }
}
