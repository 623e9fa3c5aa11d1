"""The ``party-review`` command: ``flask --app review`` for an installed copy.

``party-review db upgrade``, ``party-review demo``, ``party-review meeting minutes 1 -o m.pdf``...
are the application's Flask commands; ``party-review serve`` is Flask's ``run`` (the development
server, for a laptop: production runs gunicorn, README's deployment section). ``python -m review``
does the same.
"""

from __future__ import annotations

from flask.cli import FlaskGroup, run_command

from .app import create_app


def main() -> None:
    """Run the application's command line."""
    cli = FlaskGroup(  # i18n: vi-only (English help, made before any application, naming the Vietnamese terms)
        name="party-review", create_app=create_app, help="The party cell year-end review (kiểm điểm, xếp loại)."
    )
    cli.add_command(run_command, "serve")
    cli.main(prog_name="party-review")


if __name__ == "__main__":
    main()
