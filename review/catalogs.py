"""Keep the translation catalogs (review/translations/) in step with the code: ``bin/catalogs``.

Not imported by the application: a tool of the checkout (it needs babel.cfg). ``update`` extracts
every marked text of the code and templates into ``messages.pot``, merges it into each language's
``messages.po`` (new texts, texts gone; a changed text becomes fuzzy in English, to be checked),
writes the Vietnamese catalog (the source texts are Vietnamese: each entry is its own translation)
and compiles the ``.mo`` files. ``check`` changes nothing and lists what is out of step: a text not
in the template, an English entry untranslated or fuzzy, a ``.mo`` that is not its ``.po`` compiled.
tests/test_catalogs.py runs the same checks.
"""

from __future__ import annotations

import ast
import copy
import io
import re
import sys
from collections.abc import Iterable
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "review" / "translations"
TEMPLATE = TRANSLATIONS / "messages.pot"
SOURCE_LANGUAGE = "vi"
LANGUAGES = ("vi", "en")
KEYWORDS = {
    "_": None,
    "gettext": None,
    "ngettext": (1, 2),
    "N_": None,
    "lazy_gettext": None,
    "_l": None,
    "lazy_ngettext": (1, 2),
    "msg": None,
    "pgettext": ((1, "c"), 2),
    "NP_": ((1, "c"), 2),
}
PROJECT = "party-review"


def extracted() -> Catalog:
    """Return every marked text of review/ (babel.cfg's methods), without locations."""
    from babel.messages.frontend import parse_mapping_cfg

    with (ROOT / "babel.cfg").open(encoding="utf-8") as config:
        method_map, options_map = parse_mapping_cfg(config)
    catalog = Catalog(project=PROJECT, charset="utf-8", fuzzy=False)
    for _filename, _lineno, message, comments, context in extract_from_dir(
        str(ROOT), method_map, options_map, keywords=KEYWORDS, comment_tags=("i18n:",), strip_comment_tags=True
    ):
        catalog.add(message, None, auto_comments=comments, context=context)
    return catalog


def catalog_path(language: str, suffix: str = "po") -> Path:
    return TRANSLATIONS / language / "LC_MESSAGES" / f"messages.{suffix}"


def read(path: Path, locale: str | None = None) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle, locale=locale)


def write(path: Path, catalog: Catalog) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    buffer = io.BytesIO()
    write_po(buffer, catalog, width=100, omit_header=False, sort_output=True, ignore_obsolete=True)
    path.write_bytes(buffer.getvalue())


def compiled(catalog: Catalog) -> bytes:
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    return buffer.getvalue()


def ids(catalog: Iterable[Message]) -> set[object]:
    return {message.id for message in catalog if message.id}


def _own_translation(message: Message) -> None:
    """The source language translates each text by itself (plural forms: its one form)."""
    if isinstance(message.id, tuple | list):
        message.string = (message.id[0],)
    else:
        message.string = message.id


def update() -> None:
    """Extract, merge into every language, fill the Vietnamese catalog, compile."""
    template = extracted()
    if TEMPLATE.exists():  # the same texts keep the same date: no change to commit but real ones
        previous = read(TEMPLATE)
        if ids(previous) == ids(template):
            template.creation_date = previous.creation_date
    write(TEMPLATE, template)
    for language in LANGUAGES:
        path = catalog_path(language)
        catalog = read(path, language) if path.exists() else Catalog(locale=language, project=PROJECT, fuzzy=False)
        catalog.update(copy.deepcopy(template), no_fuzzy_matching=False, update_header_comment=False)
        catalog.fuzzy = False
        if language == SOURCE_LANGUAGE:
            for message in catalog:
                if message.id:
                    _own_translation(message)
                    message.flags.discard("fuzzy")
        write(path, catalog)
        catalog_path(language, "mo").write_bytes(compiled(read(path, language)))


def untranslated(catalog: Catalog) -> list[str]:
    """Return the entries of ``catalog`` without a translation or marked fuzzy."""
    problems = []
    for message in catalog:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple | list) else (message.string,)
        if message.fuzzy:
            problems.append(f"fuzzy: {message.id!r}")
        elif not all(strings):
            problems.append(f"untranslated: {message.id!r}")
    return problems


def problems() -> list[str]:
    """Return everything out of step (see the module); an empty list when all is well."""
    found: list[str] = []
    code = ids(extracted())
    template = ids(read(TEMPLATE)) if TEMPLATE.exists() else set()
    found += [f"messages.pot lacks {text!r}" for text in sorted(code - template, key=repr)]
    found += [f"messages.pot still has {text!r}" for text in sorted(template - code, key=repr)]
    for language in LANGUAGES:
        path = catalog_path(language)
        if not path.exists():
            found.append(f"{language}: no catalog")
            continue
        catalog = read(path, language)
        missing = code - ids(catalog)
        found += [f"{language}: lacks {text!r}" for text in sorted(missing, key=repr)]
        if language != SOURCE_LANGUAGE:
            found += [f"{language}: {problem}" for problem in untranslated(catalog)]
        mo = catalog_path(language, "mo")
        if not mo.exists() or mo.read_bytes() != compiled(catalog):
            found.append(f"{language}: messages.mo is not messages.po compiled (run bin/catalogs update)")
    return found


# ---------------------------------------------------------------------------
# Texts outside the catalogs: a Vietnamese text in a module of review/ that no marker takes (_,
# gettext, ngettext, N_, lazy_gettext, lazy_ngettext, msg), or words in a template outside _()
# and {% trans %}. Docstrings are not texts of the interface. A text that must stay Vietnamese
# (a document's, the meeting file's, a search table's) says so with "i18n: vi-only" in a comment
# on its line or the line above, or on (or above) the first line of the statement that holds it,
# or lives in a module of VIETNAMESE_ONLY.

VIETNAMESE_LETTER = re.compile("[àáảãạăắằẳẵặâấầẩẫậèéẻẽẹêếềểễệìíỉĩịòóỏõọôốồổỗộơớờởỡợùúủũụưứừửữựỳýỷỹỵđ]", re.IGNORECASE)
VI_ONLY = "i18n: vi-only"
MARKERS = frozenset(KEYWORDS)
# Modules whose every text is a document's (always Vietnamese, SPEC 7) or the catalogs' tooling.
VIETNAMESE_ONLY = frozenset(
    {
        "review/catalogs.py",
        "review/documents.py",
        "review/decision_documents.py",
        "review/sealdata.py",
    }
)
# Words a template may write as they are, the same in every language.
LANGUAGE_FREE = re.compile(r"\b(PDF|DOCX|XLSX|CSV|ZIP|JSON|SHA-256|ID|MiB|Word|Excel)\b")
SHOWN_ATTRIBUTES = re.compile(r"\b(title|aria-label|placeholder|alt|aria-description)\s*=\s*\"([^\"]*)\"")


def _docstring_ids(tree: ast.AST) -> set[int]:
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                found.add(id(body[0].value))
    return found


def _marked_ids(tree: ast.AST) -> set[int]:
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", None)
            if name in MARKERS:
                for argument in node.args[:2]:
                    found.update(id(child) for child in ast.walk(argument))
    return found


def unmarked_python(path: Path) -> list[tuple[int, str]]:
    """Return the Vietnamese texts of a module outside the markers (line, text)."""
    source = path.read_text(encoding="utf-8")
    lines = source.splitlines()
    tree = ast.parse(source)
    skipped = _docstring_ids(tree) | _marked_ids(tree)
    # Each text's smallest enclosing statement: a pragma on its first line covers all its lines.
    statement_line: dict[int, tuple[int, int]] = {}
    for statement in ast.walk(tree):
        if isinstance(statement, ast.stmt):
            span = (statement.end_lineno or statement.lineno) - statement.lineno
            for child in ast.walk(statement):
                if id(child) not in statement_line or statement_line[id(child)][0] > span:
                    statement_line[id(child)] = (span, statement.lineno)
    found = []
    for node in ast.walk(tree):
        if id(node) in skipped or not isinstance(node, ast.Constant) or not isinstance(node.value, str):
            continue
        if not VIETNAMESE_LETTER.search(node.value):
            continue
        around = lines[max(node.lineno - 2, 0) : (node.end_lineno or node.lineno)]
        first = statement_line.get(id(node), (0, node.lineno))[1]
        around += lines[max(first - 2, 0) : first]
        if any(VI_ONLY in line for line in around):
            continue
        found.append((node.lineno, node.value))
    return found


def _blank(match: re.Match[str], keep: str = " ") -> str:
    """Replace a match by ``keep`` and its newlines (the lines of what follows stay right)."""
    return keep + "\n" * match.group(0).count("\n")


def _template_words(source: str) -> list[tuple[int, str]]:
    """Return the shown words of a template's HTML outside Jinja: text between tags and shown attributes."""
    source = re.sub(r"\{%-?\s*trans\b.*?\{%-?\s*endtrans\s*-?%\}", _blank, source, flags=re.DOTALL)
    source = re.sub(r"\{%-?\s*block page_class\s*-?%\}.*?\{%-?\s*endblock", _blank, source, flags=re.DOTALL)
    source = re.sub(r"\{#.*?#\}", _blank, source, flags=re.DOTALL)
    source = re.sub(r"\{%.*?%\}", _blank, source, flags=re.DOTALL)
    source = re.sub(r"\{\{.*?\}\}", lambda match: _blank(match, "0"), source, flags=re.DOTALL)
    source = re.sub(r"<!--.*?-->", _blank, source, flags=re.DOTALL)
    source = re.sub(r"<(script|style)\b.*?</\1>", _blank, source, flags=re.DOTALL)
    found = []
    for match in re.finditer(r"<[^>]*>|[^<]+", source):
        piece = match.group(0)
        line = source.count("\n", 0, match.start()) + 1
        texts = [value for _name, value in SHOWN_ATTRIBUTES.findall(piece)] if piece.startswith("<") else [piece]
        found += [(line, text.strip()) for text in texts if re.search(r"[^\W\d_]", LANGUAGE_FREE.sub("", text))]
    return found


def unmarked_template(path: Path) -> list[tuple[int, str]]:
    """Return a template's words outside _() and {% trans %} (line, text)."""
    from jinja2 import Environment, nodes

    source = path.read_text(encoding="utf-8")
    environment = Environment(extensions=["jinja2.ext.i18n", "jinja2.ext.do"])
    tree = environment.parse(source)
    marked: set[int] = set()
    for call in tree.find_all(nodes.Call):
        if isinstance(call.node, nodes.Name) and call.node.name in MARKERS:
            marked.update(id(child) for child in call.find_all(nodes.Const))
    found = _template_words(source)
    for const in tree.find_all(nodes.Const):
        if id(const) not in marked and isinstance(const.value, str) and VIETNAMESE_LETTER.search(const.value):
            found.append((const.lineno, const.value))
    return found


def unmarked(paths: Iterable[Path] = ()) -> list[str]:
    """Return every text of review/ (or of ``paths``) outside the catalogs, as "path:line: text"."""
    chosen = [Path(path).resolve() for path in paths] or [ROOT / "review"]
    files = sorted({file for path in chosen for file in ([path] if path.is_file() else path.rglob("*"))})
    found = []
    for file in files:
        relative = file.relative_to(ROOT).as_posix()
        if relative in VIETNAMESE_ONLY or "/translations/" in relative:
            continue
        if file.suffix == ".py":
            texts = unmarked_python(file)
        elif file.suffix == ".html" and "/templates/" in relative:
            texts = unmarked_template(file)
        else:
            continue
        found += [f"{relative}:{line}: {text!r}" for line, text in texts]
    return found


def fill(language: str, translations: dict[str, str | list[str]]) -> int:
    """Set the translations of ``translations`` (msgid -> text, or [singular, plural]) that the
    catalog holds, clearing their fuzzy flag; return how many were set."""
    path = catalog_path(language)
    catalog = read(path, language)
    count = 0
    for message in catalog:
        key = message.id[0] if isinstance(message.id, tuple | list) else message.id
        if not message.id or key not in translations:
            continue
        wanted = translations[key]
        message.string = tuple(wanted) if isinstance(message.id, tuple | list) else wanted
        message.flags.discard("fuzzy")
        count += 1
    write(path, catalog)
    catalog_path(language, "mo").write_bytes(compiled(read(path, language)))
    return count


def main(argv: list[str]) -> int:
    command = argv[0] if argv else "check"
    if command == "update":
        update()
        return 0
    if command == "fill" and len(argv) == 3:  # bin/catalogs fill en translations.json
        import json

        print(fill(argv[1], json.loads(Path(argv[2]).read_text(encoding="utf-8"))), "entries set")
        return 0
    if command == "unmarked":
        found = unmarked(Path(path) for path in argv[1:])
        print("\n".join(found + [f"{len(found)} text(s) outside the catalogs"]))
        return 1 if found else 0
    if command == "check":
        found = problems() + unmarked()
        for line in found:
            print(line)
        print(f"{len(found)} problem(s)" if found else "catalogs in step")
        return 1 if found else 0
    print("usage: bin/catalogs [update|check|unmarked [PATH...]|fill LANGUAGE FILE.json]", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
