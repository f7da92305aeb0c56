"""Webhooks: the week's message, or an alert, POSTed as JSON with urllib.request.

Three bodies. ``json``: the generic one (the week, the subject, the plain text, the highlights, the
PDF's link and hash). ``wecom`` and ``dingtalk``: the group robots' markdown messages, with the
week's highlights and the link. Their formats, as the robots' documentation gives them (found with
the search tool, issue 25; the official pages are developer.work.weixin.qq.com/document/path/99398
and open.dingtalk.com/document/orgapp/custom-robot-access, quoted by the pages found):

- WeCom (企业微信群机器人): POST {"msgtype": "markdown", "markdown": {"content": ...}}; "markdown内容，
  最长不超过4096个字节，必须是utf8编码" (an over-long one is answered errcode 40058, "markdown.content
  exceed max length 4096"); text messages {"msgtype": "text", "text": {"content": ...}} up to 2048
  bytes; at most 20 messages a minute per robot.
- DingTalk (钉钉自定义机器人): POST {"msgtype": "markdown", "markdown": {"title": ..., "text": ...}}
  (the title shows in the conversation list only), text messages {"msgtype": "text", "text":
  {"content": ...}}; 20 messages a minute, else throttled for 10 minutes. A robot with 加签 takes
  &timestamp=MS&sign=S, S = urlencode(base64(HmacSHA256(key=secret, timestamp + "\n" + secret))):
  the secret from REPORTS_DINGTALK_SECRET.
- Both answer HTTP 200 with {"errcode": 0, "errmsg": "ok"}; any other errcode is a refusal.

Bounded: every request has a timeout, and a redirect is never followed (to another host or not):
the target URLs come from the editors' settings, and a 3xx is reported with where it pointed.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import time
import urllib.error
import urllib.request
from urllib.parse import quote_plus, urlsplit

from reports import __version__
from reports.content.settings import shown_target
from reports.run.message import SendFailure, WeekMessage

ROBOT_MARKDOWN_BYTES = 4096  # WeCom's limit; DingTalk's messages are kept to it too
ROBOT_TEXT_BYTES = 2048
ANSWER_BYTES = 65536  # of an answer read, at most
SECRET_VARIABLE = "REPORTS_DINGTALK_SECRET"
NOTICE = "仅供医疗卫生专业人士参考，非推广材料，不构成诊疗建议。"


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, request, fp, code, message, headers, new_url):
        return None  # urllib then raises the 3xx as an HTTPError


def post(url: str, body: dict, timeout: float, robot: bool = False) -> str:
    """POST ``body`` as JSON; returns the answer's summary once the server has taken it."""
    data = json.dumps(body, ensure_ascii=False).encode("utf-8")
    request = urllib.request.Request(url, data=data, method="POST", headers={
        "Content-Type": "application/json; charset=utf-8", "User-Agent": f"reports/{__version__}"})
    opener = urllib.request.build_opener(_NoRedirect)
    shown = shown_target(url)
    try:
        with opener.open(request, timeout=timeout) as response:
            status, answer = response.status, response.read(ANSWER_BYTES)
    except urllib.error.HTTPError as error:
        if 300 <= error.code < 400:
            raise SendFailure(f"{shown} answered {error.code} with a redirect to "
                              f"{shown_target(error.headers.get('Location', '?'))}; redirects are not followed: "
                              "write the final URL in the target", transient=False) from None
        # 5xx, 408 and 429 may pass on a later try; any other 4xx will not.
        transient = error.code >= 500 or error.code in (408, 429)
        raise SendFailure(f"{shown} answered HTTP {error.code} {error.reason}", transient) from None
    except urllib.error.URLError as error:
        reason = error.reason
        if isinstance(reason, ConnectionRefusedError):
            raise SendFailure(f"{shown} refused the connection (nothing listening)", True) from None
        if isinstance(reason, TimeoutError):
            raise SendFailure(f"{shown} did not answer within {timeout:g} s", True) from None
        raise SendFailure(f"{shown}: {reason}", True) from None
    except TimeoutError:
        raise SendFailure(f"{shown} did not answer within {timeout:g} s", True) from None
    except OSError as error:
        raise SendFailure(f"{shown}: {error}", True) from None
    if robot:
        try:
            reply = json.loads(answer.decode("utf-8"))
            code, text = reply.get("errcode"), reply.get("errmsg", "")
        except (ValueError, AttributeError, UnicodeDecodeError):
            raise SendFailure(f"{shown} answered HTTP {status} without the robot's JSON", False) from None
        if code != 0:
            raise SendFailure(f"{shown} refused the message: errcode {code} {text}", transient=False)
        return f"accepted by {urlsplit(url).hostname} (HTTP {status}, errcode 0)"
    return f"accepted by {urlsplit(url).hostname} (HTTP {status})"


def signed(url: str, format: str) -> str:
    """A DingTalk URL with its signature when REPORTS_DINGTALK_SECRET is set (a robot with 加签)."""
    secret = os.environ.get(SECRET_VARIABLE)
    if format != "dingtalk" or not secret:
        return url
    stamp = str(round(time.time() * 1000))
    digest = hmac.new(secret.encode("utf-8"), f"{stamp}\n{secret}".encode(), hashlib.sha256).digest()
    return f"{url}{'&' if '?' in url else '?'}timestamp={stamp}&sign={quote_plus(base64.b64encode(digest))}"


# ---------------------------------------------------------------------------------------------
# The bodies.


def week_body(message: WeekMessage, format: str, message_id: str) -> dict:
    if format == "json":
        return {
            "week": message.week, "subject": message.subject, "text": message.text, "message_id": message_id,
            "highlights": [{"heading": group["heading"], "items": [
                {key: item[key] for key in ("kind", "title", "lang", "dating", "line", "references")}
                for item in group["items"]]} for group in message.highlights["groups"]],
            "pdf": {"url": message.link, "bytes": len(message.pdf),
                    "sha256": hashlib.sha256(message.pdf).hexdigest()},
        }
    content = robot_markdown(message)
    if format == "wecom":
        return {"msgtype": "markdown", "markdown": {"content": content}}
    return {"msgtype": "markdown", "markdown": {"title": message.subject, "text": content}}


def robot_markdown(message: WeekMessage, budget: int = ROBOT_MARKDOWN_BYTES) -> str:
    """The highlights as a group robot shows them, within ``budget`` bytes: whole items only, and a line
    saying how many more the PDF has."""
    record = message.highlights
    head = [f"## {message.subject}", f"截至{record['week_end']}的一周（{record['week_start']}至{record['week_end']}）", ""]
    if message.link:
        foot = ["", f"[全文 PDF]({message.link})", NOTICE]
    else:
        foot = ["", "全文 PDF 见邮件，或向编辑组索取（未设 base_url，没有链接）。", NOTICE]
    items = []
    for group in record["groups"]:
        items.append((f"**{group['heading']}**", None))
        for number, item in enumerate(group["items"], group["start"]):
            refs = f" [{', '.join(map(str, item['references']))}]" if item["references"] else ""
            items.append((f"{number}. {item['kind']}：{item['title']}\n> {item['line']}{refs}", number))
    if not items:
        items.append(("本周没有新发表的来源文章，证据表也没有新增或更新的条目。", None))
    total = sum(1 for _, number in items if number is not None)

    def size(lines: list[str]) -> int:
        return len("\n".join(lines).encode("utf-8"))

    kept: list[str] = []
    shown = 0
    for text, number in items:
        more = total - shown - (1 if number is not None else 0)
        rest = [f"……另有 {more} 条要点，见全文 PDF。"] if more else []
        if size(head + kept + [text] + rest + foot) > budget:
            break
        kept.append(text)
        shown += number is not None
    if shown < total:
        kept.append(f"……另有 {total - shown} 条要点，见全文 PDF。")
    return "\n".join(head + kept + foot)


def alert_body(format: str, subject: str, text: str, week: str, lines: list[str]) -> dict:
    if format == "json":
        return {"alert": subject, "week": week, "problems": lines, "text": text}
    content = text.encode("utf-8")[:ROBOT_TEXT_BYTES].decode("utf-8", "ignore")
    return {"msgtype": "text", "text": {"content": content}}
