//! `cognate-mock-lm`: runs the Cognate mock OpenAI-compatible server until killed.
//!
//! ```text
//! cognate-mock-lm [--port 8089] [--host 127.0.0.1] [--latency-ms 0] [--workers 1]
//!                 [--fail-every N --failure 429|429:<secs>|500|drop|mixed|slow:<ms>] [--model mock-lm]
//! ```

use std::net::{IpAddr, SocketAddr};
use std::process::ExitCode;
use std::time::Duration;

use cognate_testing::{Failure, MockServer, MockServerConfig};

const USAGE: &str = "usage: cognate-mock-lm [--port 8089] [--host 127.0.0.1] [--latency-ms 0] [--workers 1] \
[--fail-every N --failure 429|429:<secs>|500|drop|mixed|slow:<ms>] [--model mock-lm]";

struct Args {
    addr: SocketAddr,
    workers: usize,
    config: MockServerConfig,
}

fn parse_args(mut args: impl Iterator<Item = String>) -> Result<Args, String> {
    let (mut port, mut host) = (8089u16, IpAddr::from([127, 0, 0, 1]));
    let (mut workers, mut fail_every, mut failure) = (1usize, None::<u64>, None::<Failure>);
    let mut config = MockServerConfig::default();
    while let Some(flag) = args.next() {
        if flag == "--help" || flag == "-h" {
            return Err(USAGE.into());
        }
        let value = args.next().ok_or_else(|| format!("{flag} needs a value\n{USAGE}"))?;
        let bad = |e: &dyn std::fmt::Display| format!("invalid {flag} `{value}`: {e}");
        match flag.as_str() {
            "--port" => port = value.parse().map_err(|e| bad(&e))?,
            "--host" => host = value.parse().map_err(|e| bad(&e))?,
            "--latency-ms" => config = config.with_latency(Duration::from_millis(value.parse().map_err(|e| bad(&e))?)),
            "--workers" => workers = value.parse().map_err(|e| bad(&e))?,
            "--fail-every" => fail_every = Some(value.parse().map_err(|e| bad(&e))?),
            "--failure" => failure = Some(value.parse().map_err(|e: String| bad(&e))?),
            "--model" => config = config.with_model(value),
            _ => return Err(format!("unknown argument `{flag}`\n{USAGE}")),
        }
    }
    match (fail_every, failure) {
        (Some(n), failure) => config = config.with_fail_every(n, failure.unwrap_or(Failure::Status500)),
        (None, Some(_)) => return Err("--failure needs --fail-every".into()),
        (None, None) => {}
    }
    Ok(Args { addr: SocketAddr::new(host, port), workers: workers.max(1), config })
}

fn main() -> ExitCode {
    let args = match parse_args(std::env::args().skip(1)) {
        Ok(args) => args,
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::from(2);
        }
    };
    let runtime = if args.workers == 1 {
        tokio::runtime::Builder::new_current_thread().enable_all().build()
    } else {
        tokio::runtime::Builder::new_multi_thread().worker_threads(args.workers).enable_all().build()
    };
    let runtime = match runtime {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    runtime.block_on(async move {
        let server = match MockServer::start_on(args.addr, args.config).await {
            Ok(server) => server,
            Err(e) => {
                eprintln!("cannot listen on {}: {e}", args.addr);
                return ExitCode::FAILURE;
            }
        };
        println!("{}", server.base_url());
        std::future::pending::<()>().await;
        ExitCode::SUCCESS
    })
}
