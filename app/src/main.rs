//! `kaizend`: the Kaizen node. The ABCI server that CometBFT connects to arrives with the
//! network issue; today the binary reports its version and the state of a store.

use std::path::PathBuf;

use anyhow::Context;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    match args.get(1).map(String::as_str) {
        Some("version") | Some("--version") => {
            println!(
                "kaizend {} (app version {})",
                env!("CARGO_PKG_VERSION"),
                kaizen_app::app::APP_VERSION
            );
            Ok(())
        }
        Some("info") => {
            let dir = PathBuf::from(args.get(2).context("usage: kaizend info DATA_DIR")?);
            let app = kaizen_app::App::open(&dir).await?;
            println!(
                "height {} app_hash {} chain_id {}",
                app.last_committed_height(),
                hex::encode_upper(app.last_app_hash().await?),
                app.chain_id().unwrap_or("(no genesis)")
            );
            app.close().await;
            Ok(())
        }
        _ => {
            eprintln!("usage: kaizend version | kaizend info DATA_DIR");
            std::process::exit(2);
        }
    }
}
