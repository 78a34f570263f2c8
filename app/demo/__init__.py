"""Demo data: ``balcao demo`` (a small company's last two months, made through the use cases)
and ``balcao demo --size large`` (the benchmark database, written in bulk)."""
