//! permitdesk: a terminal console and command line for back offices that approve foreigners'
//! work permits in China after card integration (证卡融合).

pub mod cli;
pub mod config;
pub mod console;
pub mod demo;
pub mod domain;
pub mod remote;
pub mod store;
pub mod sync;
pub mod text;
