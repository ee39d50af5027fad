import json

from django.core.management.base import BaseCommand, CommandError

from ml_models.selectors import model_versions_list
from ml_models.services import model_version_promote, model_version_rollback
from storefront.errors import StorefrontError


class Command(BaseCommand):
    help = "The model registry: `list`, `promote <capability> <version>`, `rollback <capability>`."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True)
        listing = actions.add_parser("list", help="Every version, newest first.")
        listing.add_argument("capability", nargs="?")
        listing.add_argument("--json", action="store_true")
        promote = actions.add_parser("promote", help="Activate a version (through the gate).")
        promote.add_argument("capability")
        promote.add_argument("version", type=int)
        promote.add_argument(
            "--force", action="store_true", help="Promote a version the gate rejected."
        )
        rollback = actions.add_parser("rollback", help="Re-activate the previous version.")
        rollback.add_argument("capability")

    def handle(self, *args, action: str, **options):
        try:
            if action == "list":
                self._list(options["capability"], as_json=options["json"])
            elif action == "promote":
                version = model_version_promote(
                    capability=options["capability"],
                    version=options["version"],
                    force=options["force"],
                    actor="cli",
                )
                self.stdout.write(f"{version.capability} v{version.version} is active.")
            else:
                version = model_version_rollback(capability=options["capability"], actor="cli")
                self.stdout.write(
                    f"rolled back: {version.capability} v{version.version} is active."
                )
        except StorefrontError as exc:
            raise CommandError(exc.message) from exc

    def _list(self, capability: str | None, *, as_json: bool) -> None:
        versions = list(model_versions_list(capability=capability))
        if as_json:
            rows = [
                {
                    "capability": v.capability,
                    "version": v.version,
                    "status": v.status,
                    "metrics": v.metrics,
                    "gate": v.gate.get("decision"),
                    "created_at": v.created_at.isoformat(),
                    "activated_at": v.activated_at.isoformat() if v.activated_at else None,
                }
                for v in versions
            ]
            self.stdout.write(json.dumps(rows))
            return
        if not versions:
            self.stdout.write("No model versions yet. Train one with `manage.py retrain`.")
            return
        self.stdout.write(
            f"{'capability':<28} {'version':>7} {'status':<10} {'gate':<9} {'created':<17} metrics"
        )
        for v in versions:
            primary = v.gate.get("metric")
            shown = f"{primary} {v.metrics[primary]:.4f}" if primary in v.metrics else ""
            self.stdout.write(
                f"{v.capability:<28} {v.version:>7} {v.status:<10} "
                f"{v.gate.get('decision', ''):<9} {v.created_at:%Y-%m-%d %H:%M} {shown}"
            )
