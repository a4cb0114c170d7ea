"""Test service: a private WordPress Multisite (sub-directory) on 127.0.0.1, once per test session.

Built from the Debian packages (`wordpress`, `wordpress-l10n`, `wordpress-theme-twentytwentyone`, `mariadb-server`,
`php-*`; scripts/install-services.sh installs them): a private MariaDB on a socket in a temp dir (--skip-networking), a scratch copy of /usr/share/wordpress
with its own wp-config.php, installed and converted to a multisite by a PHP script (no WP-CLI), served by
`php -S` with a router that emulates WordPress's rewrite rules. The admin gets an Application Password for
REST basic auth, and exporters/wordpress_mu/consolidate-source-key.php is installed as a must-use plugin.
Every site uses the Twenty Twenty-One theme Debian packages (so front-end pages render for Chromium), and the
language files of wordpress-l10n are there, so sub-sites created with WPLANG zh_CN speak Chinese.
Every process runs in its own process group and is stopped at the end of the session.

Without the packages (not root, no registry) the fixture fails when CI=true and skips otherwise.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from tests.services.common import free_port

__all__ = ["WordPressService", "running_wordpress", "wordpress"]

REPO = Path(__file__).resolve().parents[2]
WP_SOURCE = Path("/usr/share/wordpress")
MU_PLUGIN = REPO / "exporters" / "wordpress_mu" / "consolidate-source-key.php"
ADMIN_USER = "admin"
ADMIN_EMAIL = "admin@example.test"
PHP_WORKERS = 8
THEME = "twentytwentyone"  # Debian's wordpress-theme-twentytwentyone; a classic theme rendering posts in PHP

ROUTER_PHP = r"""<?php
// php -S router: WordPress's rewrite rules, including multisite sub-directories (/site/wp-admin/... etc.).
$root = __DIR__;
$path = rawurldecode(parse_url($_SERVER['REQUEST_URI'], PHP_URL_PATH) ?: '/');
if ($path !== '/' && is_file($root . $path)) {
    return false;
}
if (preg_match('#^/[^/]+(/(?:wp-(?:admin|includes|content)(?:/.*)?|[^/]+\.php))$#', $path, $m)
        && file_exists($root . $m[1])) {
    $target = $root . $m[1];
    if (is_dir($target)) {
        $target = rtrim($target, '/') . '/index.php';
    }
    if (substr($target, -4) === '.php') {
        $_SERVER['SCRIPT_FILENAME'] = $target;
        $_SERVER['SCRIPT_NAME'] = $_SERVER['PHP_SELF'] = substr($target, strlen($root));
        chdir(dirname($target));
        require $target;
        return true;
    }
    $types = ['css' => 'text/css', 'js' => 'application/javascript', 'png' => 'image/png', 'jpg' => 'image/jpeg',
              'jpeg' => 'image/jpeg', 'gif' => 'image/gif', 'svg' => 'image/svg+xml', 'pdf' => 'application/pdf'];
    $ext = strtolower(pathinfo($target, PATHINFO_EXTENSION));
    header('Content-Type: ' . ($types[$ext] ?? 'application/octet-stream'));
    header('Content-Length: ' . filesize($target));
    readfile($target);
    return true;
}
if (is_dir($root . $path) && is_file($root . rtrim($path, '/') . '/index.php')) {
    return false;
}
$_SERVER['SCRIPT_FILENAME'] = $root . '/index.php';
$_SERVER['SCRIPT_NAME'] = $_SERVER['PHP_SELF'] = '/index.php';
chdir($root);
require $root . '/index.php';
return true;
"""

WP_CONFIG_PHP = r"""<?php
define('DB_NAME', 'wordpress');
define('DB_USER', 'root');
define('DB_PASSWORD', '');
define('DB_HOST', 'localhost:{socket}');
define('DB_CHARSET', 'utf8mb4');
define('DB_COLLATE', '');
define('AUTH_KEY', '{salt}1'); define('SECURE_AUTH_KEY', '{salt}2'); define('LOGGED_IN_KEY', '{salt}3');
define('NONCE_KEY', '{salt}4'); define('AUTH_SALT', '{salt}5'); define('SECURE_AUTH_SALT', '{salt}6');
define('LOGGED_IN_SALT', '{salt}7'); define('NONCE_SALT', '{salt}8');
$table_prefix = 'wp_';
define('WP_ENVIRONMENT_TYPE', 'local');
define('DISABLE_WP_CRON', true);
define('WP_HTTP_BLOCK_EXTERNAL', true);
define('AUTOMATIC_UPDATER_DISABLED', true);
define('WP_DEBUG', false);
define('WP_DEFAULT_THEME', '{theme}');
if (file_exists(__DIR__ . '/.multisite')) {
    define('WP_ALLOW_MULTISITE', true);
    define('MULTISITE', true);
    define('SUBDOMAIN_INSTALL', false);
    define('DOMAIN_CURRENT_SITE', '{host}');
    define('PATH_CURRENT_SITE', '/');
    define('SITE_ID_CURRENT_SITE', 1);
    define('BLOG_ID_CURRENT_SITE', 1);
}
if (!defined('ABSPATH')) {
    define('ABSPATH', __DIR__ . '/');
}
require_once ABSPATH . 'wp-settings.php';
"""

INSTALL_PHP = r"""<?php
// Install WordPress, convert it to a sub-directory multisite and create an Application Password.
define('WP_INSTALLING', true);
$_SERVER['HTTP_HOST'] = '{host}';
$_SERVER['SERVER_NAME'] = '127.0.0.1';
$_SERVER['REQUEST_URI'] = '/';
require __DIR__ . '/wp-load.php';
require_once ABSPATH . 'wp-admin/includes/upgrade.php';
require_once ABSPATH . 'wp-admin/includes/network.php';
global $wpdb;
update_option('siteurl', 'http://{host}');
$result = wp_install('Linjiang portal (test)', '{user}', '{email}', true, '', '{admin_password}');
update_option('siteurl', 'http://{host}');
update_option('home', 'http://{host}');
foreach ($wpdb->tables('ms_global') as $table => $prefixed) {
    $wpdb->$table = $prefixed;  // a single site's wpdb leaves the network table names empty
}
install_network();
$error = populate_network(1, '{host}', '{email}', 'Linjiang portal network', '/', false);
if (is_wp_error($error)) { fwrite(STDERR, $error->get_error_message()); exit(1); }
$meta = array('using_application_passwords' => 1, 'fileupload_maxk' => 102400, 'blog_upload_space' => 10000,
              'upload_space_check_disabled' => 1, 'registration' => 'none');
foreach ($meta as $key => $value) {
    $wpdb->delete($wpdb->sitemeta, array('site_id' => 1, 'meta_key' => $key));
    $wpdb->insert($wpdb->sitemeta, array('site_id' => 1, 'meta_key' => $key, 'meta_value' => $value));
}
update_option('permalink_structure', '/archives/%post_id%');
delete_option('rewrite_rules');
$user = get_user_by('login', '{user}');
list($password) = WP_Application_Passwords::create_new_application_password($user->ID, array('name' => 'ci'));
echo json_encode(array('password' => $password));
"""


@dataclass
class WordPressService:
    """A running WordPress Multisite: network URL, admin user and Application Password."""

    url: str
    user: str
    password: str = field(repr=False)
    root: Path = field(repr=False)
    _count: int = field(default=0, repr=False)

    def new_subsite(self, path: str | None = None, title: str = "测试子站") -> str:
        """Create a fresh sub-directory sub-site (unique path when none given); return its URL."""
        if path is None:
            self._count += 1
            path = f"t{self._count}-{os.getpid()}"
        response = httpx.post(f"{self.url}wp-json/consolidate/v1/sites", json={"path": path, "title": title},
                              auth=(self.user, self.password), timeout=60)
        response.raise_for_status()
        return response.json()["url"]

    def site_url(self, path: str) -> str:
        """The URL of the sub-site at a path (it may not exist)."""
        return f"{self.url}{path}/"


def _missing_parts() -> list[str]:
    """What the service needs but this machine lacks."""
    missing = [tool for tool in ("php", "mariadbd", "mariadb-install-db") if shutil.which(tool) is None
               and not Path(f"/usr/sbin/{tool}").exists()]
    if not (WP_SOURCE / "wp-settings.php").exists():
        missing.append("wordpress")
    if not (WP_SOURCE / "wp-content" / "themes" / THEME / "style.css").exists():
        missing.append(f"wordpress-theme-{THEME}")
    if not (WP_SOURCE / "wp-content" / "languages" / "zh_CN.mo").exists():
        missing.append("wordpress-l10n")
    if shutil.which("php") and "mysqli" not in subprocess.run(["php", "-m"], capture_output=True,
                                                                text=True).stdout:
        missing.append("php-mysql")
    return missing


def _ensure_packages() -> None:
    """Install the Debian packages if missing; fail in CI, skip locally, when that is impossible."""
    if not _missing_parts():
        return
    result = subprocess.run(["bash", str(REPO / "scripts" / "install-services.sh")], capture_output=True,
                            text=True)
    missing = _missing_parts()
    if not missing:
        return
    message = (f"WordPress test service unavailable: missing {', '.join(missing)} "
               f"(scripts/install-services.sh exit {result.returncode}: {result.stderr.strip()[-300:]})")
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(message)
    pytest.skip(message)


def _tool(name: str) -> str:
    """Path of a tool that may live in /usr/sbin (not always on PATH)."""
    return shutil.which(name) or f"/usr/sbin/{name}"


def _wait_for(check, what: str, timeout: float = 30.0) -> None:
    """Poll until check() is true, or raise naming what never came up."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.05)
    raise RuntimeError(f"{what} did not come up within {timeout:.0f}s")


def _stop(process: subprocess.Popen) -> None:
    """Stop a process and its whole group (php -S workers outlive their parent)."""
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
    except ProcessLookupError:
        pass


def _install_mariadb(data: Path, user: list[str], attempts: int = 2) -> None:
    """mariadb-install-db into an empty `data`, tried again from scratch once (in a 2-worker run at load 35 it
    once exited 1, its output unseen); a RuntimeError with its output when every attempt fails."""
    failures = []
    for _ in range(attempts):
        shutil.rmtree(data, ignore_errors=True)
        result = subprocess.run([_tool("mariadb-install-db"), "--no-defaults", f"--datadir={data}", "--skip-test-db",
                                 "--auth-root-authentication-method=normal", *user], capture_output=True, text=True)
        if result.returncode == 0:
            return
        failures.append(f"exit {result.returncode}: {(result.stderr + result.stdout).strip()[-600:]}")
    raise RuntimeError(f"mariadb-install-db failed {attempts} times: " + " | ".join(failures))


def _start_mariadb(data: Path, sock_dir: Path) -> tuple[subprocess.Popen, Path]:
    """A private MariaDB on a unix socket, no TCP."""
    user = ["--user=root"] if os.geteuid() == 0 else []
    _install_mariadb(data, user)
    sock = sock_dir / "mysql.sock"
    process = subprocess.Popen(
        [_tool("mariadbd"), "--no-defaults", f"--datadir={data}", f"--socket={sock}", "--skip-networking",
         "--character-set-server=utf8mb4", "--collation-server=utf8mb4_unicode_ci", "--skip-log-bin",
         "--innodb-flush-log-at-trx-commit=0", "--innodb-buffer-pool-size=64M", "--skip-name-resolve",
         f"--pid-file={sock_dir / 'mysql.pid'}", f"--log-error={data / 'error.log'}", *user],
        start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _wait_for(lambda: sock.exists() or process.poll() is not None, "MariaDB")
    if process.poll() is not None:
        raise RuntimeError(f"MariaDB exited: {(data / 'error.log').read_text(errors='replace')[-500:]}")
    subprocess.run([_tool("mariadb"), "--no-defaults", f"--socket={sock}", "-uroot", "-e",
                    "CREATE DATABASE wordpress CHARACTER SET utf8mb4"], check=True, capture_output=True)
    return process, sock


def _prepare_tree(root: Path, host: str, sock: Path) -> None:
    """A scratch WordPress: core linked from the package, own config, uploads, the mu-plugin and router."""
    root.mkdir(parents=True)
    for entry in WP_SOURCE.iterdir():
        if entry.name in ("wp-config.php", ".htaccess", "wp-content"):
            continue
        if entry.is_dir():
            (root / entry.name).symlink_to(entry)
        else:
            shutil.copy2(entry, root / entry.name)
    content = root / "wp-content"
    shutil.copytree(WP_SOURCE / "wp-content", content, symlinks=False)
    (content / "uploads").mkdir()
    (content / "mu-plugins").mkdir()
    shutil.copy2(MU_PLUGIN, content / "mu-plugins" / MU_PLUGIN.name)
    salt = os.urandom(12).hex()
    config = (WP_CONFIG_PHP.replace("{socket}", str(sock)).replace("{salt}", salt).replace("{host}", host)
              .replace("{theme}", THEME))
    (root / "wp-config.php").write_text(config, encoding="utf-8")
    (root / "router.php").write_text(ROUTER_PHP, encoding="utf-8")


def _install(root: Path, host: str) -> str:
    """Install and convert to a multisite by script; return the admin's Application Password."""
    script = (INSTALL_PHP.replace("{host}", host).replace("{user}", ADMIN_USER).replace("{email}", ADMIN_EMAIL)
              .replace("{admin_password}", os.urandom(12).hex()))
    (root / "install.php").write_text(script, encoding="utf-8")
    result = subprocess.run(["php", "install.php"], cwd=root, capture_output=True, text=True)
    (root / "install.php").unlink()
    lines = [line for line in result.stdout.splitlines() if line.startswith("{")]
    if result.returncode != 0 or not lines:
        raise RuntimeError(f"WordPress install failed: {result.stderr[-800:]} {result.stdout[-800:]}")
    (root / ".multisite").touch()
    return json.loads(lines[-1])["password"]


def _start_php(root: Path, port: int) -> subprocess.Popen:
    """php -S on the loopback with the router and several workers."""
    env = {**os.environ, "PHP_CLI_SERVER_WORKERS": str(PHP_WORKERS)}
    log = (root.parent / "php-server.log").open("wb")
    process = subprocess.Popen(
        ["php", "-d", "upload_max_filesize=100M", "-d", "post_max_size=110M", "-d", "memory_limit=512M",
         "-S", f"127.0.0.1:{port}", "-t", str(root), str(root / "router.php")],
        cwd=root, env=env, start_new_session=True, stdout=log, stderr=subprocess.STDOUT)
    log.close()

    def listening() -> bool:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return True
        except OSError:
            return process.poll() is not None

    _wait_for(listening, "php -S")
    if process.poll() is not None:
        raise RuntimeError((root.parent / "php-server.log").read_text(errors="replace")[-800:])
    return process


@contextmanager
def running_wordpress(base: Path) -> Iterator[WordPressService]:
    """Start MariaDB + WordPress Multisite under `base`; stop every process group on exit (bench uses this too)."""
    sock_dir = Path(tempfile.mkdtemp(prefix="wpdb-"))  # short path: unix sockets have a length limit
    processes: list[subprocess.Popen] = []
    try:
        mariadb, sock = _start_mariadb(base / "db", sock_dir)
        processes.append(mariadb)
        port = free_port()
        host = f"127.0.0.1:{port}"
        root = base / "wp"
        _prepare_tree(root, host, sock)
        password = _install(root, host)
        processes.append(_start_php(root, port))
        service = WordPressService(url=f"http://{host}/", user=ADMIN_USER, password=password, root=root)
        response = httpx.get(f"{service.url}wp-json/consolidate/v1/info", auth=(ADMIN_USER, password), timeout=30)
        if response.status_code != 200:
            raise RuntimeError(f"WordPress REST not ready: HTTP {response.status_code} {response.text[:300]}")
        yield service
    finally:
        for process in reversed(processes):
            _stop(process)
        shutil.rmtree(sock_dir, ignore_errors=True)


@pytest.fixture(scope="session")
def wordpress(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WordPressService]:
    """A private WordPress Multisite with an admin Application Password and the consolidate mu-plugin."""
    _ensure_packages()
    with running_wordpress(tmp_path_factory.mktemp("wordpress")) as service:
        yield service
