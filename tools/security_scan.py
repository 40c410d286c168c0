"""Active web scan of a running Asti with wapiti3, as a guardian and as staff (planner, administrator).

Builds a small demo city in a temporary SQLite database, serves it with gunicorn (DEBUG off), logs in through the
demo's test identification as each person, and runs wapiti with that session against the whole site: injection
(SQL, command, file, XSS, stored XSS, CRLF, SSRF, open redirect, XXE), CSRF, CSP and HTTP headers. The logout,
login and language-switch URLs are left out so that the session stays as it is. Prints every finding and exits 1
if there is any.

Cookie flags (Secure) and HSTS are production settings (ASTI_ENV=production behind HTTPS, checked by
`manage.py check --deploy` and tests/core/test_deploy_check.py); this scan runs the demo over plain HTTP, so the
modules that only report their absence are not run.

Usage: tools/security-scan [--children 300] [--minutes 4] [--sessions guardian,planner,administrator]
(installs wapiti3 into .venv-scan first)
"""

from __future__ import annotations

import argparse
import http.cookiejar
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = str(ROOT / ".venv" / "bin" / "python")
WAPITI = str(ROOT / ".venv-scan" / "bin" / "wapiti")
MODULES = "exec,file,sql,timesql,xss,permanentxss,crlf,ssrf,redirect,xxe,csrf,csp,methods,backup,htaccess"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def manage(env: dict[str, str], *args: str) -> str:
    """Runs a management command; returns its output's last line."""
    done = subprocess.run([PY, "manage.py", *args], cwd=ROOT, env=env, check=True, capture_output=True, text=True)
    lines = done.stdout.strip().splitlines()
    return lines[-1] if lines else ""


def login(base: str, fields: dict[str, str]) -> str:
    """Logs in through the test identification page; returns the session's cookies as one header value."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    with opener.open(f"{base}/login/test/", timeout=30) as page:
        html = page.read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    if token is None:
        raise SystemExit("no CSRF token on the test identification page")
    data = urllib.parse.urlencode({"csrfmiddlewaretoken": token.group(1), **fields}).encode()
    request = urllib.request.Request(  # noqa: S310 (a local http URL)
        f"{base}/login/test/", data=data, headers={"Referer": f"{base}/login/test/"}
    )
    with opener.open(request, timeout=30):
        pass
    cookies = {c.name: c.value for c in jar}
    if "sessionid" not in cookies:
        raise SystemExit(f"login as {fields} did not give a session")
    return "; ".join(f"{k}={v}" for k, v in cookies.items())


def scan(base: str, who: str, cookie: str, start: str, minutes: float, out: Path) -> dict[str, list[dict[str, str]]]:
    report = out / f"{who}.json"
    command = [
        WAPITI, "-u", f"{base}/", "--scope", "folder", "-m", MODULES, "-C", cookie, "-s", f"{base}{start}",
        "-x", f"{base}/logout/*", "-x", f"{base}/login/*", "-x", f"{base}/i18n/*", "-x", f"{base}/admin/logout/*",
        "-x", f"{base}/staff/logout/*", "--max-scan-time", str(int(minutes * 60)), "--max-attack-time", "30",
        "--flush-session", "-f", "json", "-o", str(report), "--no-bugreport", "-v", "0", "--tasks", "8",
    ]  # fmt: skip
    subprocess.run(command, cwd=out, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    data = json.loads(report.read_text())
    found: dict[str, list[dict[str, str]]] = {}
    for section in ("vulnerabilities", "anomalies"):
        for category, items in data.get(section, {}).items():
            if items:
                found[f"{section}: {category}"] = items
    crawled = data.get("infos", {}).get("crawled_pages_nbr", 0)
    print(f"  {who}: {crawled or 'unknown number of'} pages crawled, {sum(len(v) for v in found.values())} findings")
    for category, items in found.items():
        for item in items:
            print(f"    {category}: {item.get('method')} {item.get('path')} {item.get('parameter', '')} "
                  f"- {item.get('info', '')[:200]}")  # fmt: skip
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--children", type=int, default=300)
    parser.add_argument("--minutes", type=float, default=4.0, help="crawling time for each session's scan")
    parser.add_argument("--sessions", default="guardian,planner,administrator", help="comma-separated")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="asti-scan-"))
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = dict(os.environ, ASTI_ENV="demo", ASTI_DEMO_LOGIN="true", DEBUG="false", LOG_LEVEL="WARNING",
               DATABASE_URL=f"sqlite:///{work / 'scan.sqlite3'}", ASTI_PUBLIC_BASE_URL=base,
               MESSAGING_CALLBACK_BASE_URL=base)  # fmt: skip
    env.pop("AUDIT_DATABASE_URL", None)
    year = time.localtime().tm_year + 1
    manage(env, "migrate", "--noinput", "-v0")
    manage(env, "generate_demo_city", str(work / "city"), "--children", str(args.children), "--seed", "5",
           "--year", str(year))  # fmt: skip
    manage(env, "import_city_data", str(work / "city"))
    manage(env, "demo_round")
    round_id = manage(env, "shell", "-c", "from asti.offers.models import OfferRound; "
                      "print(OfferRound.objects.latest('pk').pk)").strip()  # fmt: skip
    manage(env, "offer_round", "send", round_id)
    manage(env, "demo_services", "--seed", "5", "--periods", "open")
    pick = (
        "from asti.offers.models import Offer; from asti.people.models import Custody; "
        "child = Offer.objects.order_by('pk').values_list('child_id', flat=True).first(); "
        "print(Custody.objects.filter(child_id=child).order_by('pk').values_list('guardian_id', flat=True)[0])"
    )
    guardian = manage(env, "shell", "-c", pick).strip()
    server = subprocess.Popen(
        [str(ROOT / ".venv" / "bin" / "gunicorn"), "config.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "2",
         "--threads", "4", "--log-level", "warning"],
        cwd=ROOT, env=env, stdout=(work / "server.log").open("wb"), stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                    break
            except OSError:
                time.sleep(0.2)
        findings: dict[str, list[dict[str, str]]] = {}
        sessions = [("guardian", {"guardian": guardian}, "/"), ("planner", {"staff": "planner"}, "/staff/"),
                    ("administrator", {"staff": "admin"}, "/staff/")]  # fmt: skip
        print(f"wapiti against {base} (modules {MODULES}), {args.minutes:g} min per session")
        for who, fields, start in [s for s in sessions if s[0] in args.sessions.split(",")]:
            for category, items in scan(base, who, login(base, fields), start, args.minutes, work).items():
                findings.setdefault(category, []).extend(items)
        errors = (work / "server.log").read_text(errors="replace").count("Traceback")
        print(f"server errors logged: {errors}; reports and logs in {work}")
        sys.exit(1 if findings or errors else 0)
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
