"""Test documents in every published format, made from a seed plan by the tools that make
them in the wild: LibreOffice (.doc, .odt, PDF), pdftoppm and Pillow (a scan), and small
writers here for what no tool here writes (OFD, a government web page)."""

from __future__ import annotations

import html
import io
import shutil
import subprocess
import zipfile
from pathlib import Path

import docx
from docx.shared import Pt


def plan_docx(text: str, path: Path) -> Path:
    """The plan as Word prints one: a paragraph a line, body lines indented two characters
    (as the seed file shows them), headings flush left, and the tables the text prints
    (tab-led cells) as ruled Word tables."""
    from policygraph.ingest.text import text_blocks
    from policygraph.rules import load_rules

    d = docx.Document()
    d.styles["Normal"].font.size = Pt(14)
    d.styles["Normal"].font.name = "WenQuanYi Zen Hei"
    for block in text_blocks(text, load_rules().headings.starts_block):
        if block.kind == "table":
            width = max(map(len, block.rows))
            table = d.add_table(rows=len(block.rows), cols=width, style="Table Grid")
            for row, cells in zip(table.rows, block.rows):
                for cell, value in zip(row.cells, cells):
                    cell.text = value.strip()
            continue
        line = block.text
        if not line.strip():
            continue
        p = d.add_paragraph(line.strip())
        if line.startswith(" ") or line.startswith("\u3000"):
            p.paragraph_format.first_line_indent = Pt(28)
    d.save(path)
    return path


def libreoffice(src: Path, fmt: str, out: Path) -> Path:
    exe = shutil.which("soffice") or shutil.which("libreoffice")
    assert exe, "LibreOffice is needed (make debs installs libreoffice-writer-nogui)"
    subprocess.run([exe, f"-env:UserInstallation={(out / 'lo-profile').as_uri()}",
                    "--headless", "--norestore", "--convert-to", fmt, "--outdir", str(out),
                    str(src)], check=True, capture_output=True, timeout=300)
    made = out / (src.stem + "." + fmt.split(":")[0])
    assert made.is_file(), f"LibreOffice made no {fmt}"
    return made


def scanned_pdf(pdf: Path, pages: list[int], out: Path) -> Path:
    """Pages of a PDF rasterised (pdftoppm, 300 dpi) and put back as an image-only PDF."""
    from PIL import Image

    images = []
    for n in pages:
        prefix = out / f"scan-{n}"
        subprocess.run(["pdftoppm", "-r", "300", "-gray", "-png", "-f", str(n), "-l", str(n),
                        "-singlefile", str(pdf), str(prefix)], check=True, timeout=120)
        images.append(Image.open(f"{prefix}.png").convert("L"))
    target = out / "scanned.pdf"
    images[0].save(target, save_all=True, append_images=images[1:], resolution=300)
    return target


def ofd(text: str, path: Path, chars_per_line: int = 30, lines_per_page: int = 32) -> Path:
    """An OFD (GB/T 33190) laid out like a printed plan: A4, 5 mm characters, wrapped lines,
    indented paragraphs, a page number at the foot of every page."""
    size, left, top = 5.0, 30.0, 35.0
    printed: list[tuple[float, str]] = []  # (x offset, text) per printed line
    for para in (ln for ln in text.split("\n") if ln.strip()):
        indent = 2 if para.startswith((" ", "\u3000")) else 0
        rest = para.strip()
        first = True
        while rest:
            room = chars_per_line - (indent if first else 0)
            printed.append(((indent if first else 0) * size, rest[:room]))
            rest, first = rest[room:], False
    pages = [printed[i:i + lines_per_page] for i in range(0, len(printed), lines_per_page)]
    buf = io.BytesIO()
    ns = 'xmlns:ofd="http://www.ofdspec.org/2016"'
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("OFD.xml", f'<?xml version="1.0" encoding="UTF-8"?><ofd:OFD {ns} '
                   'Version="1.0" DocType="OFD"><ofd:DocBody><ofd:DocInfo><ofd:DocID>t'
                   '</ofd:DocID></ofd:DocInfo><ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot>'
                   '</ofd:DocBody></ofd:OFD>')
        refs = "".join(f'<ofd:Page ID="{k + 1}" BaseLoc="Pages/Page_{k}/Content.xml"/>'
                       for k in range(len(pages)))
        z.writestr("Doc_0/Document.xml", f'<?xml version="1.0" encoding="UTF-8"?>'
                   f'<ofd:Document {ns}><ofd:CommonData><ofd:PageArea><ofd:PhysicalBox>'
                   '0 0 210 297</ofd:PhysicalBox></ofd:PageArea></ofd:CommonData>'
                   f'<ofd:Pages>{refs}</ofd:Pages></ofd:Document>')
        for k, page in enumerate(pages):
            objs = []
            for i, (dx, line) in enumerate(page):
                y = top + i * size * 1.6
                objs.append(_text_object(len(objs), left + dx, y, size, line))
            objs.append(_text_object(len(objs), 100, 280, size, f"— {k + 1} —"))
            z.writestr(f"Doc_0/Pages/Page_{k}/Content.xml",
                       f'<?xml version="1.0" encoding="UTF-8"?><ofd:Page {ns}><ofd:Content>'
                       f'<ofd:Layer ID="1">{"".join(objs)}</ofd:Layer></ofd:Content>'
                       '</ofd:Page>')
    path.write_bytes(buf.getvalue())
    return path


def _text_object(i: int, x: float, y: float, size: float, text: str) -> str:
    deltas = f"g {len(text) - 1} {size}" if len(text) > 1 else ""
    return (f'<ofd:TextObject ID="{i + 10}" Boundary="{x} {y} {size * len(text)} {size}" '
            f'Font="1" Size="{size}"><ofd:TextCode X="0" Y="{size}" DeltaX="{deltas}">'
            f"{html.escape(text)}</ofd:TextCode></ofd:TextObject>")


def gov_page(text: str) -> str:
    """The plan as a county government's site publishes it: navigation, a breadcrumb, the
    信息公开 metadata table, the article, a share bar and the site footer."""
    body = "\n".join(f"<p>{html.escape(ln.strip())}</p>" for ln in text.split("\n")
                     if ln.strip())
    title = "关于印发《昌吉市科技创新支持产业高质量发展三年行动方案（2021—2023）》的通知"
    return f"""<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>{title}_昌吉市人民政府</title></head>
<body><div class="header"><ul class="nav"><li><a href="/">首页</a></li>
<li><a href="/zwgk">政务公开</a></li><li><a href="/bs">办事服务</a></li>
<li><a href="/hd">互动交流</a></li></ul></div>
<div class="crumb">当前位置：<a href="/">首页</a> &gt; <a href="/zwgk">政务公开</a> &gt; 政府文件</div>
<table class="xxgk">
<tr><td>索引号：</td><td>11652301010175485X/2022-00123</td><td>主题分类：</td><td>科技</td></tr>
<tr><td>发文机关：</td><td>昌吉市人民政府办公室</td><td>成文日期：</td><td>2022年06月17日</td></tr>
<tr><td>标题：</td><td colspan="3">{title}</td></tr>
<tr><td>发文字号：</td><td>昌市政办发〔2022〕15号</td><td>发布日期：</td><td>2022-06-20</td></tr>
</table>
<div class="article"><h1>{title}</h1>
<div class="content" id="zoom">
{body}
</div></div>
<div class="share">分享到：微信 微博</div>
<div class="footer"><p>主办单位：昌吉市人民政府办公室 承办单位：昌吉市融媒体中心</p>
<p>网站标识码：6523010001 新ICP备12345678号 新公网安备 65230102000123号</p>
<p>联系电话：0994-1234567</p></div>
</body></html>"""
