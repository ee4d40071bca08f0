//! Which addresses the HTTP client may connect to: public ones, and the configured provider
//! hosts whatever they resolve to.
//!
//! Provider answers carry URLs the service then fetches, so a hostile or compromised
//! answer could point it at internal services. Three layers close that door: every URL is
//! checked before its request (IP literals directly, names by resolving them and checking
//! every address), the client's DNS resolver drops non-public addresses of names that are
//! not provider hosts (so a name cannot resolve differently between check and connect), and
//! redirects to non-public IP literals are stopped.

use std::collections::HashSet;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use reqwest::Url;
use reqwest::dns::{Addrs, Name, Resolve, Resolving};

use crate::error::SourceError;

/// The most redirects one request follows.
const MAX_REDIRECTS: usize = 5;

/// The provider hosts (host and port) that may be private, taken from the base URLs.
#[derive(Clone, Debug, Default)]
pub(crate) struct AddressGuard {
    allowed: HashSet<(String, u16)>,
}

impl AddressGuard {
    /// Allows every host of `base_urls` that parses; the others allow nothing.
    pub(crate) fn new<'a>(base_urls: impl IntoIterator<Item = &'a str>) -> AddressGuard {
        let allowed = base_urls
            .into_iter()
            .filter_map(|u| Url::parse(u).ok())
            .filter_map(|u| {
                Some((
                    u.host_str()?.to_ascii_lowercase(),
                    u.port_or_known_default()?,
                ))
            })
            .collect();
        AddressGuard { allowed }
    }

    fn is_provider(&self, url: &Url) -> bool {
        match (url.host_str(), url.port_or_known_default()) {
            (Some(host), Some(port)) => self.allowed.contains(&(host.to_ascii_lowercase(), port)),
            _ => false,
        }
    }

    /// Host names (any port) whose private addresses the resolver keeps.
    fn provider_names(&self) -> HashSet<String> {
        self.allowed.iter().map(|(h, _)| h.clone()).collect()
    }

    /// Refuses `url` unless it is http(s) and a provider host or every address of its host
    /// is public. Makes no connection; names are resolved.
    pub(crate) async fn check(&self, url: &Url) -> Result<(), SourceError> {
        let host = url.host_str().unwrap_or_default().to_string();
        let forbidden = || SourceError::ForbiddenAddress { host: host.clone() };

        let web = matches!(url.scheme(), "http" | "https");
        if !web || host.is_empty() {
            return Err(forbidden());
        }
        if self.is_provider(url) {
            return Ok(());
        }

        if let Some(ip) = literal_ip(url) {
            return if is_public(ip) {
                Ok(())
            } else {
                Err(forbidden())
            };
        }

        let port = url.port_or_known_default().unwrap_or(443);
        let addrs: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), port))
            .await
            .map_err(|_| forbidden())?
            .collect();
        let all_public = !addrs.is_empty() && addrs.iter().all(|a| is_public(a.ip()));
        if all_public { Ok(()) } else { Err(forbidden()) }
    }

    /// The client's redirect policy: at most [`MAX_REDIRECTS`], web schemes only, and no
    /// non-public IP literal that is not a provider host.
    pub(crate) fn redirect_policy(&self) -> reqwest::redirect::Policy {
        let guard = self.clone();
        reqwest::redirect::Policy::custom(move |attempt| {
            let url = attempt.url();
            let web = matches!(url.scheme(), "http" | "https");
            let private_literal = literal_ip(url).is_some_and(|ip| !is_public(ip));
            let refused = !web || (private_literal && !guard.is_provider(url));

            if refused {
                let host = url.host_str().unwrap_or_default().to_string();
                attempt.error(SourceError::ForbiddenAddress { host })
            } else if attempt.previous().len() >= MAX_REDIRECTS {
                attempt.error("too many redirects")
            } else {
                attempt.follow()
            }
        })
    }

    /// The client's resolver, which keeps only public addresses of non-provider names.
    pub(crate) fn resolver(&self) -> GuardedResolver {
        GuardedResolver {
            provider_names: self.provider_names(),
        }
    }
}

/// The URL's host as an IP address, when it is written as one.
fn literal_ip(url: &Url) -> Option<IpAddr> {
    match url.host()? {
        url::Host::Ipv4(ip) => Some(IpAddr::V4(ip)),
        url::Host::Ipv6(ip) => Some(IpAddr::V6(ip)),
        url::Host::Domain(_) => None,
    }
}

/// A resolver that hides non-public addresses of every name that is not a provider host.
pub(crate) struct GuardedResolver {
    provider_names: HashSet<String>,
}

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let host = name.as_str().to_ascii_lowercase();
        let trusted = self.provider_names.contains(&host);

        Box::pin(async move {
            let found = tokio::net::lookup_host((host.as_str(), 0)).await?;
            let kept: Vec<SocketAddr> = found.filter(|a| trusted || is_public(a.ip())).collect();
            if kept.is_empty() {
                return Err(Box::new(SourceError::ForbiddenAddress { host }) as _);
            }
            Ok(Box::new(kept.into_iter()) as Addrs)
        })
    }
}

/// Whether `ip` is a globally routable unicast address.
pub(crate) fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => is_public_v6(v6),
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    let shared = a == 100 && (64..128).contains(&b);
    let benchmarking = a == 198 && (b == 18 || b == 19);
    let protocol = a == 192 && b == 0 && c == 0;
    let reserved = a >= 240;
    let special = ip.is_private()
        || ip.is_loopback()
        || ip.is_link_local()
        || ip.is_unspecified()
        || ip.is_broadcast()
        || ip.is_documentation()
        || ip.is_multicast()
        || a == 0;
    !(special || shared || benchmarking || protocol || reserved)
}

fn is_public_v6(ip: Ipv6Addr) -> bool {
    if let Some(v4) = ip.to_ipv4_mapped() {
        return is_public_v4(v4);
    }

    let first = ip.segments()[0];
    let unique_local = (first & 0xfe00) == 0xfc00;
    let link_local = (first & 0xffc0) == 0xfe80;
    let documentation = first == 0x2001 && ip.segments()[1] == 0x0db8;
    let special = ip.is_loopback() || ip.is_unspecified() || ip.is_multicast();
    !(special || unique_local || link_local || documentation)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_loopback_and_link_local_addresses_are_not_public() {
        for text in [
            "10.1.2.3",
            "127.0.0.1",
            "169.254.169.254",
            "192.168.0.1",
            "::1",
            "fe80::1",
        ] {
            let ip: IpAddr = text.parse().unwrap();
            assert!(!is_public(ip), "{text}");
        }
        assert!(!is_public("::ffff:10.0.0.1".parse().unwrap()));
        assert!(!is_public("100.64.0.1".parse().unwrap()));
        assert!(is_public("93.184.216.34".parse().unwrap()));
        assert!(is_public("2606:4700::1111".parse().unwrap()));
    }

    /// Checks only: IP literals are never resolved or connected to by `check`.
    #[tokio::test]
    async fn private_and_link_local_urls_are_refused_unless_a_provider_host() {
        let guard = AddressGuard::new(["http://10.0.0.5:8080/v1"]);
        let refused = [
            "http://10.1.2.3/x.png",
            "http://169.254.169.254/latest/meta-data",
            "http://192.168.1.1/x.png",
            "http://[fe80::1]/x.png",
            "http://10.0.0.5:8081/x.png",
            "ftp://93.184.216.34/x.png",
        ];
        for text in refused {
            let url = Url::parse(text).unwrap();
            let result = guard.check(&url).await;
            assert!(
                matches!(result, Err(SourceError::ForbiddenAddress { .. })),
                "{text}"
            );
        }

        let provider = Url::parse("http://10.0.0.5:8080/img/a.png").unwrap();
        assert!(guard.check(&provider).await.is_ok());
        let public = Url::parse("https://93.184.216.34/a.png").unwrap();
        assert!(guard.check(&public).await.is_ok());
    }
}
