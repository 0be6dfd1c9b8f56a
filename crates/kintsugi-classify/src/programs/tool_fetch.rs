//! Build and test tools whose install or setup form downloads and runs code:
//! `playwright install` (browser builds, and `--with-deps` installs system
//! packages), `cypress install`, `puppeteer browsers install chrome`,
//! `electron-rebuild`-style fetchers. The tool itself is on the known-safe
//! build list, so without this its download form would pass as confined
//! build work — directly or through a launcher (`npx`, `pnpm dlx`, `bunx`,
//! `yarn dlx`, `npm exec`). Its test/lint forms stay safe.

use super::Cmd;
use crate::effects::Effect;
use crate::engine::Walker;

/// Tools from the build list that fetch programs when told to install.
const FETCHERS: &[&str] = &[
    "playwright",
    "cypress",
    "puppeteer",
    "@puppeteer/browsers",
    "browsers",
    "electron-builder",
    "webdriver-manager",
    "selenium-manager",
    "chromedriver",
    "geckodriver",
];

/// Subcommands that download (and later run) a program.
const INSTALL_VERBS: &[&str] = &[
    "install",
    "install-deps",
    "install-app-deps",
    "setup",
    "download",
    "update",
    "fetch",
];

/// Record the download when `c` is a fetcher's install form.
pub(crate) fn extra(e: &mut Walker, c: &Cmd) {
    if !FETCHERS.contains(&c.name.as_str()) {
        return;
    }
    let pos = c.positional();
    let verb = pos
        .iter()
        .take(2)
        .map(|w| w.text.as_str())
        .find(|w| INSTALL_VERBS.contains(w));
    if let Some(v) = verb
        && !c.has(&["--help", "-h", "--dry-run", "--list"])
    {
        e.add(Effect::PackageChange {
            manager: c.name.clone(),
            what: format!("`{} {v}` downloads programs that then run", c.name),
        });
    }
}

#[cfg(test)]
mod tests {
    use crate::testutil::expect;

    #[test]
    fn launcher_install_forms_download_and_run() {
        expect(&[
            ("npx playwright install", "ambiguous"),
            (
                "npx -y playwright install --with-deps chromium",
                "ambiguous",
            ),
            ("npx playwright@1.48 install chromium", "ambiguous"),
            ("pnpm dlx playwright install", "ambiguous"),
            ("bunx playwright install --with-deps", "ambiguous"),
            ("yarn dlx playwright install", "ambiguous"),
            ("pnpm exec playwright install", "ambiguous"),
            ("playwright install-deps", "ambiguous"),
            ("npx cypress install", "ambiguous"),
            ("npx @puppeteer/browsers install chrome@stable", "ambiguous"),
            ("npx puppeteer browsers install chrome", "ambiguous"),
        ]);
    }

    #[test]
    fn build_test_and_lint_forms_stay_safe() {
        expect(&[
            ("npx tsc --noEmit", "safe"),
            ("npx eslint .", "safe"),
            ("npx prettier --check .", "safe"),
            ("npx jest", "safe"),
            ("npx playwright test", "safe"),
            ("npx playwright install --help", "safe"),
            ("npx cypress run", "safe"),
            ("bunx vitest run", "safe"),
        ]);
    }
}
