use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = permitdesk::cli::Cli::parse();
    match permitdesk::cli::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            let code = permitdesk::cli::exit_code(&err);
            let message = format!("{err:#}");
            eprintln!("permitdesk: {}", permitdesk::text::sanitize_line(&message));
            ExitCode::from(code)
        }
    }
}
