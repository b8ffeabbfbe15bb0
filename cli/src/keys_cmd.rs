//! `kaizen keys add|list|show|export|import|delete`: the keyring in the client home.

use std::{io::Read, path::Path};

use clap::Subcommand;
use kaizen_cli::keys::{self, Keyring};
use serde_json::json;

use crate::output::{print, Output};

#[derive(Subcommand)]
pub enum KeysCmd {
    /// Create a key (prints its mnemonic once) or, with --recover, import one from stdin.
    Add {
        name: String,
        #[arg(long)]
        recover: bool,
    },
    List,
    Show {
        name: String,
        /// Print only the address.
        #[arg(long, short = 'a')]
        address: bool,
    },
    /// Print a key's mnemonic (keep it secret).
    Export {
        name: String,
    },
    /// Import a key from a mnemonic read on stdin.
    Import {
        name: String,
    },
    Delete {
        name: String,
    },
}

pub fn keys_cmd(home: &Path, out: Output, cmd: KeysCmd) -> anyhow::Result<()> {
    let mut ring = Keyring::open(home)?;
    match cmd {
        KeysCmd::Add { name, recover } => {
            let mnemonic = if recover {
                read_stdin()?
            } else {
                keys::new_mnemonic()
            };
            let e = ring.add(&name, &mnemonic)?;
            print(
                out,
                json!({"name": e.name, "address": e.address, "mnemonic": if recover { None } else { Some(&mnemonic) }}),
                || {
                    if recover {
                        format!("{}: {}", e.name, e.address)
                    } else {
                        format!("{}: {}\n\nWrite this mnemonic down; it is the only way to recover the key:\n\n{mnemonic}", e.name, e.address)
                    }
                },
            );
        }
        KeysCmd::Import { name } => {
            let e = ring.add(&name, &read_stdin()?)?;
            print(out, json!({"name": e.name, "address": e.address}), || {
                format!("{}: {}", e.name, e.address)
            });
        }
        KeysCmd::List => {
            let list: Vec<_> = ring
                .list()
                .iter()
                .map(|k| json!({"name": k.name, "address": k.address, "pubkey": k.pubkey}))
                .collect();
            print(out, json!(list), || {
                ring.list()
                    .iter()
                    .map(|k| format!("{}\t{}", k.name, k.address))
                    .collect::<Vec<_>>()
                    .join("\n")
            });
        }
        KeysCmd::Show { name, address } => {
            let k = ring.get(&name)?;
            print(
                out,
                json!({"name": k.name, "address": k.address, "pubkey": k.pubkey}),
                || {
                    if address {
                        k.address.clone()
                    } else {
                        format!(
                            "name: {}\naddress: {}\npubkey: {}",
                            k.name, k.address, k.pubkey
                        )
                    }
                },
            );
        }
        KeysCmd::Export { name } => {
            let k = ring.get(&name)?;
            print(out, json!({"name": k.name, "mnemonic": k.mnemonic}), || {
                k.mnemonic.clone()
            });
        }
        KeysCmd::Delete { name } => {
            ring.delete(&name)?;
            print(out, json!({"deleted": name}), || format!("deleted {name}"));
        }
    }
    Ok(())
}

fn read_stdin() -> anyhow::Result<String> {
    let mut s = String::new();
    std::io::stdin().take(4096).read_to_string(&mut s)?;
    anyhow::ensure!(!s.trim().is_empty(), "expected a mnemonic on stdin");
    Ok(s.trim().to_string())
}
