"""The forms of Circular 03/2025/TT-VPCP, Appendix I, rendered from dossiers: 01 receipt and
appointment slip, 02 request to supplement, 03 refusal, 04 apology and request to extend,
05 notice of stopping, 06 process control slip (from a dossier), and 07 the dossier register
(from a period).

:class:`Renderer` fills Jinja2 templates (shipped with the package, overridable file by file
with a portal's own directory or loader) and returns HTML with print CSS for A4; ``pdf()``
turns it into PDF through WeasyPrint (the ``pdf`` extra). Dates, hours and amounts are
written the Vietnamese way (:mod:`dossierflow.text`). :data:`LAYOUTS` says where each
layout comes from and what is still to check against the official annex.

Needs the ``forms`` extra (Jinja2). It reads dossiers, procedures and the clock and never the
store; it sits beside :mod:`dossierflow.reports`.
"""

from dossierflow.forms._context import Applicant, Letterhead, limit_text
from dossierflow.forms._layouts import LAYOUTS, Layout
from dossierflow.forms._renderer import Renderer, TemplateSource
from dossierflow.forms._samples import SAMPLE_OF, Samples, samples, write_samples

__all__ = [
    "LAYOUTS",
    "SAMPLE_OF",
    "Applicant",
    "Layout",
    "Letterhead",
    "Renderer",
    "Samples",
    "TemplateSource",
    "limit_text",
    "samples",
    "write_samples",
]
