"""Lab range: attack scenarios run through the real pipeline for drills (to come)."""
