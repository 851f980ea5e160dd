"""Entry point of the sample project: `python main.py`."""

from inventory.report import checksum, report
from inventory.stock import Item, restock


def main():
    items = [Item(f"part-{i}", 3 + i % 5, i % 7) for i in range(20)]
    print("ordered", restock(items, 4))
    print(report(items))
    print("checksum", checksum(range(10000)))


if __name__ == "__main__":
    main()
