"""The renderer: Jinja2 templates (shipped in ``templates/``, overridable by a portal's own
directory or loader, file by file) filled with what :mod:`._context` reads off a dossier, as
HTML with print CSS, and as PDF through WeasyPrint (the ``pdf`` extra).
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import jinja2

from dossierflow._errors import InvalidArgument
from dossierflow.clock import Sla
from dossierflow.forms import _context as ctx
from dossierflow.forms._catalogue_en import EN
from dossierflow.forms._layouts import LAYOUTS
from dossierflow.states import Dossier, Engine, Form
from dossierflow.text import format_amount, format_date, format_instant, format_time

TemplateSource = str | os.PathLike[str] | Sequence[str | os.PathLike[str]] | jinja2.BaseLoader
_PAPER = ("A4", "A5")
_BUILD = {
    Form.SUPPLEMENT_REQUEST: ctx.supplement,
    Form.REFUSAL: ctx.refusal,
    Form.APOLOGY: ctx.apology,
    Form.STOP_NOTICE: ctx.stop_notice,
    Form.CONTROL_SLIP: ctx.control_slip,
}


def _loader(templates: TemplateSource | None) -> jinja2.BaseLoader:
    shipped = jinja2.PackageLoader("dossierflow.forms", "templates")
    if templates is None:
        return shipped
    if isinstance(templates, jinja2.BaseLoader):
        return jinja2.ChoiceLoader([templates, shipped])
    paths = [templates] if isinstance(templates, str | os.PathLike) else list(templates)
    for p in paths:
        if not os.path.isdir(p):
            raise InvalidArgument(f"templates: {os.fspath(p)!r} is not a directory; pass a "
                                  "directory of templates named as the shipped ones "
                                  "(form01.html, base.html, print.css...) or a jinja2 loader")
    return jinja2.ChoiceLoader([jinja2.FileSystemLoader(paths), shipped])


class Renderer:
    """Renders the forms of Circular 03/2025/TT-VPCP, Appendix I, for ``engine``'s dossiers.

    - ``templates``: a directory (or several, searched in order) or a ``jinja2`` loader whose
      templates replace the shipped ones of the same name (``base.html`` for the header,
      ``print.css``, ``form01.html``...); the others stay the shipped ones.
    - ``unit_names``: display names of agencies by id (default: the procedure's names).
    - ``letterhead``: the issuing block (:class:`Letterhead`).
    - ``sla``: the clock (verdicts on the control slip); default ``Sla(engine)``.
    - ``language``: "vi" (default) or "en" (labels translated, for docs and tests).
    - ``paper``: "A4" (default) or "A5" (Circular 01/2018/TT-VPCP Art. 9(2) printed forms
      01-05 on A5); the register is always A4 landscape.
    - ``annex_notes``: print each form's small note on where its layout comes from.
    """

    def __init__(self, engine: Engine, *, templates: TemplateSource | None = None,
                 unit_names: Mapping[str, str] | None = None,
                 letterhead: ctx.Letterhead | None = None, sla: Sla | None = None,
                 language: str = "vi", paper: str = "A4", annex_notes: bool = True) -> None:
        if not isinstance(engine, Engine):
            raise InvalidArgument(f"engine must be an Engine, got {engine!r}")
        if language not in ("vi", "en"):
            raise InvalidArgument(f"language must be 'vi' or 'en', got {language!r}")
        if paper not in _PAPER:
            raise InvalidArgument(f"paper must be one of {_PAPER}, got {paper!r}")
        if letterhead is not None and not isinstance(letterhead, ctx.Letterhead):
            raise InvalidArgument(f"letterhead must be a Letterhead, got {letterhead!r}")
        self.engine = engine
        self.sla = sla if sla is not None else Sla(engine)
        self.language = language
        self.paper = paper
        self.annex_notes = annex_notes
        self.facts = ctx.Facts(self.sla, dict(unit_names or {}),
                               letterhead or ctx.Letterhead(), language)
        self.env = jinja2.Environment(loader=_loader(templates),
                                      autoescape=jinja2.select_autoescape(["html"]),
                                      undefined=jinja2.StrictUndefined, trim_blocks=True,
                                      lstrip_blocks=True)
        tz = self.sla.calendar.timezone
        self.env.globals["_"] = self._translate
        self.env.filters.update({
            "vn_date": lambda v: format_date(v, language=language, timezone=tz),
            "vn_time": lambda v: format_time(v, language=language, timezone=tz),
            "vn_instant": lambda v: format_instant(v, language=language, timezone=tz),
            "vn_amount": lambda v: format_amount(v, language=language),
        })

    def _translate(self, text: str) -> str:
        return EN.get(text, text) if self.language == "en" else text

    def forms_of(self, dossier: Dossier) -> tuple[Form, ...]:
        """The forms ``dossier`` has so far (the register is rendered for a period)."""
        return ctx.forms_of(dossier)

    def render(self, form: Form, dossier: Dossier, *, applicant: ctx.Applicant | None = None,
               at: dt.datetime | None = None, collect_at: str = "") -> str:
        """Form ``form`` of ``dossier`` as HTML. ``applicant``: who filed it (blank fields
        print as dotted leaders); ``at``: the instant the control slip is read at (default:
        its last handoff); ``collect_at``: where the result is to be collected (Form 01)."""
        if not isinstance(form, Form):
            raise InvalidArgument(f"form must be a Form, got {form!r}")
        if form is Form.REGISTER:
            raise InvalidArgument("the register (Form 07) covers a period: call "
                                  "renderer.register(dossiers, first=..., last=...)")
        if not isinstance(dossier, Dossier):
            raise InvalidArgument(f"dossier must be a Dossier, got {dossier!r}")
        if form is Form.RECEIPT:
            values = ctx.receipt(self.facts, dossier, applicant, at, collect_at)
        else:
            values = _BUILD[form](self.facts, dossier, applicant, at)
        return self._render(form, values)

    def register(self, dossiers: Iterable[Dossier], *, first: dt.date, last: dt.date,
                 applicants: Callable[[Dossier], ctx.Applicant | None] | None = None) -> str:
        """The dossier register (Form 07) of the dossiers received from ``first`` to ``last``
        (local dates, both included), in order of receipt, numbered from 01; ``applicants``
        gives each dossier's :class:`Applicant`. Long registers run over several pages, the
        column headings repeated on each."""
        values = ctx.register(self.facts, list(dossiers), first, last,
                              applicants or (lambda d: None))
        return self._render(Form.REGISTER, values)

    def _render(self, form: Form, values: dict[str, Any]) -> str:
        layout = LAYOUTS[form]
        page = "A4 landscape" if form is Form.REGISTER else self.paper
        template = self.env.get_template(layout.template)
        return template.render(
            **values, form=form, number=form.number, language=self.language,
            title=layout.title if self.language == "vi" else layout.title_en,
            annex_note=layout.note if self.annex_notes else "", page_size=page)

    def pdf(self, html: str) -> bytes:
        """``html`` (what :meth:`render` or :meth:`register` returned) as PDF, through
        WeasyPrint: ``pip install 'dossierflow[pdf]'``."""
        try:
            import weasyprint  # the optional extra; without it HTML is still available
        except ImportError as exc:  # pragma: no cover - depends on the installation
            raise ImportError("PDF output needs WeasyPrint: pip install 'dossierflow[pdf]'"
                              ) from exc
        data: bytes = weasyprint.HTML(string=html).write_pdf()
        return data
