"""Items, prices and totals."""


class Item:
    def __init__(self, name, price, quantity):
        self.name = name
        self.price = price
        self.quantity = quantity

    def value(self):
        return self.price * self.quantity


def total_value(items):
    total = 0
    for item in items:
        total += item.value()
    return total


def restock(items, minimum):
    ordered = 0
    for item in items:
        if item.quantity < minimum:
            ordered += minimum - item.quantity
            item.quantity = minimum
    return ordered
