from sradar_desktop.ui.parts.i18n import arg


def test_arg_fills_markers_once():
    assert arg("%1 sur %2", 3, 5) == "3 sur 5"
    assert arg("%2 puis %1", "a", "b") == "b puis a"
    # A value typed by someone that contains a marker is left as typed.
    assert arg("Raison : %1 (%2)", "voir %2", "SGAR") == "Raison : voir %2 (SGAR)"
    assert arg("%10 et %1", *range(1, 11)) == "10 et 1"
