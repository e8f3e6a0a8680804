"""Keep the two catalogues whole after `makemessages`.

The source strings are Latvian, so the lv catalogue is the identity (msgstr = msgid, with
Latvian plural forms); `--en FILE` merges English translations from a Python file that
defines EN and EN_PLURAL dicts. Prints what is still untranslated; exits 1 if anything is.
"""

import argparse
import runpy
import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent
LV_PLURALS = "nplurals=3; plural=(n%10==1 && n%100!=11 ? 0 : n != 0 ? 1 : 2);"
EN_PLURALS = "nplurals=2; plural=(n != 1);"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--en", type=Path)
    args = parser.parse_args()

    lv = polib.pofile(ROOT / "locale/lv/LC_MESSAGES/django.po")
    lv.metadata["Plural-Forms"] = LV_PLURALS
    lv.metadata["Language"] = "lv"
    for entry in lv:
        entry.flags = [f for f in entry.flags if f != "fuzzy"]
        # A "#|" note of a fuzzy guess would outlive its flag and break msgfmt.
        entry.previous_msgid = entry.previous_msgid_plural = entry.previous_msgctxt = None
        if entry.msgid_plural:
            # Forms: 1, 21, 31… / other / zero; the plural source serves for zero too.
            entry.msgstr_plural = {0: entry.msgid, 1: entry.msgid_plural, 2: entry.msgid_plural}
        else:
            entry.msgstr = entry.msgid
    lv.save()

    en = polib.pofile(ROOT / "locale/en/LC_MESSAGES/django.po")
    en.metadata["Plural-Forms"] = EN_PLURALS
    en.metadata["Language"] = "en"
    translations = runpy.run_path(str(args.en)) if args.en else {}
    singular = translations.get("EN", {})
    plural = translations.get("EN_PLURAL", {})
    missing = []
    for entry in en:
        if "fuzzy" in entry.flags:
            # makemessages guesses from a similar old string; a guess is not a translation.
            entry.flags.remove("fuzzy")
            entry.previous_msgid = entry.previous_msgid_plural = entry.previous_msgctxt = None
            entry.msgstr = ""
            entry.msgstr_plural = dict.fromkeys(entry.msgstr_plural, "")
        if entry.msgid_plural:
            if entry.msgid in plural:
                one, many = plural[entry.msgid]
                entry.msgstr_plural = {0: one, 1: many}
            if not all(entry.msgstr_plural.values()):
                missing.append(entry.msgid)
        else:
            if entry.msgid in singular:
                entry.msgstr = singular[entry.msgid]
            if not entry.msgstr:
                missing.append(entry.msgid)
    en.save()
    for msgid in missing:
        print(f"untranslated (en): {msgid}", file=sys.stderr)
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
