"""Formatting a stock report."""

from inventory.stock import total_value


def checksum(numbers):
    acc = 7
    for n in numbers:
        acc = (acc * 31 + n) % 1000003
    return acc


def report(items):
    lines = [f"{item.name}: {item.quantity} x {item.price}" for item in items]
    lines.append(f"total {total_value(items)}")
    return "\n".join(lines)
