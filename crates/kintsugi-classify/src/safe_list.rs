//! Well-known read-only and build/test/lint programs. They never add an
//! effect by themselves; the list names the rule (`safe:read-only` or
//! `safe:build`) and keeps unknown-verb heuristics off familiar tools.

const READ_ONLY: &[&str] = &[
    "ls", "ll", "la", "exa", "eza", "lsd", "cat", "bat", "batcat", "less", "more", "most", "head", "tail", "wc", "grep", "egrep",
    "fgrep", "rg", "ag", "ack", "fd", "fdfind", "find", "tree", "du", "df", "stat", "file", "which", "whereis", "type", "echo",
    "printf", "pwd", "cd", "pushd", "popd", "date", "cal", "uname", "hostname", "whoami", "id", "groups", "uptime", "ps", "pgrep",
    "top", "htop", "btop", "free", "vmstat", "iostat", "lsof", "netstat", "ss", "ip", "ifconfig", "ping", "dig", "nslookup", "host",
    "traceroute", "diff", "cmp", "comm", "sort", "uniq", "cut", "paste", "join", "tr", "jq", "yq", "xq", "xmllint", "column", "nl",
    "fold", "rev", "tac", "base64", "base32", "sha256sum", "sha1sum", "sha512sum", "md5sum", "b2sum", "cksum", "xxd", "od",
    "hexdump", "strings", "man", "info", "help", "true", "false", "test", "[", "[[", "sleep", "wait", "seq", "basename",
    "dirname", "realpath", "readlink", "alias", "export", "tput", "clear", "exit", "locale", "getconf", "nproc", "lscpu",
    "lsblk", "blkid", "lsusb", "lspci", "journalctl", "env", "printenv", "history", "jobs", "fg", "bg", "disown", "read",
    "local", "declare", "typeset", "readonly", "return", "shift", "trap", "umask", "ulimit", "hash", "complete", "set",
    "shopt", "source", ".", "w", "who", "last", "finger", "id", "tty", "stty", "vim", "vi", "nvim", "nano", "emacs", "code",
    "open", "xdg-open", "pbcopy", "pbpaste", "xclip", "xsel", "tldr", "cheat", "watch", "expr", "bc", "dc", "factor", "numfmt",
    "iconv", "dos2unix", "unix2dos", "awk", "sed", "git", "gh", "glab", "hub", "tig", "lazygit", "delta", "difft", "meld",
    "colordiff", "wdiff", "ncdu", "dust", "duf", "procs", "sd", "choose", "hyperfine", "tokei", "cloc", "scc", "shellcheck",
    "hadolint", "yamllint", "jsonlint", "markdownlint", "actionlint", "sqlfluff", "codespell", "typos", "vale", "curl",
    "http", "xh", "openssl", "ssh-keygen", "gpg", "nc", "timeout", "time", "nice", "command", "builtin", "exec", "nohup",
    "sudo", "env", "xargs", "parallel", "tee", "mkdir", "touch", "mktemp", "uuidgen", "shuf", "split", "csplit", "fmt",
    "pr", "look", "units", "yes", "arch", "lsb_release", "sw_vers", "systeminfo", "ver", "dmesg", "lsmod", "modinfo", "sysctl",
    "getent", "nmcli", "iwconfig", "route", "arp", "mtr", "whois", "nmap", "tcpdump", "strace", "ltrace", "gdb", "lldb",
    "valgrind", "perf", "pstree", "pidof", "fuser", "zcat", "zless", "zgrep", "bzcat", "xzcat", "unzip", "zipinfo",
    "tar", "gzip", "gunzip", "bzip2", "xz", "zstd", "7z", "zip", "identify", "exiftool", "ffprobe", "mediainfo",
    "pdftotext", "pandoc", "dot", "mmdc", "plantuml", "say", "notify-send", "osascript", "wl-copy", "direnv", "asdf", "mise",
    "nvm", "fnm", "volta", "pyenv", "rbenv", "sdk", "jenv", "conda", "docker", "podman", "kubectl", "helm", "k9s", "kubectx",
    "kubens", "stern", "terraform", "tofu", "aws", "gcloud", "az", "doctl", "systemctl", "service", "launchctl", "brew",
    "crontab", "mount", "df", "free", "screen", "tmux", "zellij", "script", "asciinema", "ssh-add", "ssh-agent", "keychain",
    "apt-cache", "dpkg-query", "rpm", "pip-audit", "safety", "bandit", "semgrep", "trivy", "grype", "syft", "snyk",
    "license-checker", "cowsay", "figlet", "lolcat", "neofetch", "fastfetch", "screenfetch", "envsubst", "gettext",
];

const BUILD: &[&str] = &[
    "cargo", "rustc", "rustup", "rust-analyzer", "clippy-driver", "npm", "yarn", "pnpm", "bun", "node", "deno", "tsc", "tsx",
    "ts-node", "eslint", "jest", "vitest", "mocha", "ava", "tap", "playwright", "cypress", "karma", "webpack", "vite", "rollup",
    "esbuild", "swc", "babel", "parcel", "turbo", "nx", "lerna", "next", "nuxt", "astro", "svelte-kit", "remix", "gatsby",
    "storybook", "pytest", "py.test", "python", "python3", "tox", "nox", "mypy", "pyright", "pylint", "flake8", "ruff",
    "black", "isort", "bandit", "coverage", "unittest", "hatch", "pdm", "poetry", "pipenv", "uv", "pip", "pip3", "make",
    "gmake", "cmake", "ninja", "meson", "bazel", "bazelisk", "buck", "buck2", "pants", "scons", "go", "golangci-lint",
    "staticcheck", "gopls", "dlv", "mvn", "gradle", "gradlew", "./gradlew", "ant", "sbt", "mill", "javac", "java", "kotlinc",
    "scalac", "dotnet", "msbuild", "swift", "swiftc", "xcodebuild", "xcrun", "zig", "gcc", "g++", "cc", "c++", "clang",
    "clang++", "ld", "ar", "nm", "objdump", "readelf", "strip", "ldd", "ruby", "rake", "rspec", "bundle", "rubocop", "gem",
    "php", "composer", "phpunit", "phpstan", "psalm", "mix", "elixir", "iex", "erl", "rebar3", "ghc", "cabal", "stack",
    "ocaml", "dune", "opam", "julia", "Rscript", "R", "lua", "luarocks", "perl", "prove", "just", "task", "mage", "invoke",
    "earthly", "tilt", "skaffold", "pre-commit", "husky", "lint-staged", "commitlint", "prettier", "biome", "dprint",
    "stylelint", "htmlhint", "jsonnet", "buf", "protoc", "flatc", "thrift", "wasm-pack", "trunk", "maturin", "cibuildwheel",
    "twine", "build", "flit", "setup.py", "nextest", "cargo-nextest", "insta", "criterion", "bench", "sphinx-build",
    "mkdocs", "hugo", "jekyll", "zola", "mdbook", "docusaurus", "typedoc", "jsdoc", "godoc", "rustdoc", "javadoc", "doxygen",
    "ctest", "gtest", "catch2", "valgrind", "ccache", "sccache", "direnv", "nix-build", "nix-shell", "devbox", "flutter",
    "dart", "kotlin", "gleam", "crystal", "nim", "v", "odin", "elm", "purs", "spago", "rescript", "reason", "hx", "haxe",
    "terraform-docs", "tflint", "tfsec", "checkov", "kubeconform", "kubeval", "kustomize", "conftest", "opa", "cue",
];

/// A program that only reads or prints (in its ordinary forms).
pub(crate) fn is_known_safe(name: &str) -> bool {
    READ_ONLY.contains(&name) || BUILD.contains(&name) || name.starts_with("./") && false
}

/// A confined build/test/lint program.
pub(crate) fn is_build(name: &str, _argv: &[String]) -> bool {
    BUILD.contains(&name)
}
