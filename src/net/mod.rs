//! The shared HTTP client ([`http`]) and network lookups an analyst asks
//! for explicitly: DNS resolution and
//! reverse lookups ([`dns`]), and screenshots of suspicious pages
//! ([`screenshot`]). Nothing here runs unless called; extraction and the
//! other transforms never touch the network.

pub mod dns;
pub mod http;
pub mod screenshot;
