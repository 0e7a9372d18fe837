//! Microsoft Azure: Azure AD authentication ([`auth`], [`credential`],
//! [`cloud`]) shared by the Microsoft data drivers, and the Azure APIs:
//! resources ([`resources`]), Microsoft Sentinel management
//! ([`sentinel`]) and Blob Storage ([`blob`]).

pub mod auth;
pub mod blob;
pub mod cloud;
pub mod credential;
pub mod resources;
pub mod sentinel;
