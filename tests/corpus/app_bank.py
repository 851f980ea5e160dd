# A realistic program: a bank simulation -- account class hierarchy
# (checking with overdraft, savings with interest and withdrawal limits),
# Decimal money arithmetic, a custom exception hierarchy carrying data,
# transfers as transactions with rollback on failure (context manager),
# an audit log via a decorator, dataclasses for ledger entries, enum
# states, properties with validation, a deterministic batch of operations
# driven by random.Random(2024), per-account statements, and an uncaught
# InsufficientFunds error at the end.
import dataclasses
import decimal
import enum
import functools
import random
from decimal import Decimal

decimal.getcontext().prec = 28
CENT = Decimal("0.01")


class BankError(Exception):
    pass


class InsufficientFunds(BankError):
    def __init__(self, account, requested, available):
        super().__init__("account %s: requested %s but only %s available"
                         % (account, requested, available))
        self.account = account
        self.requested = requested
        self.available = available


class AccountFrozen(BankError):
    pass


class LimitExceeded(BankError):
    pass


class State(enum.Enum):
    OPEN = "open"
    FROZEN = "frozen"
    CLOSED = "closed"


@dataclasses.dataclass(frozen=True)
class Entry:
    seq: int
    account: str
    kind: str
    amount: Decimal
    balance: Decimal


AUDIT = []


def audited(kind):
    def decorator(method):
        @functools.wraps(method)
        def wrapper(self, amount, *args, **kwargs):
            try:
                result = method(self, amount, *args, **kwargs)
            except BankError as e:
                AUDIT.append("FAIL %s %s %s: %s" % (kind, self.number, amount, type(e).__name__))
                raise
            AUDIT.append("OK   %s %s %s" % (kind, self.number, amount))
            return result
        return wrapper
    return decorator


class Account:
    _seq = 0

    def __init__(self, number, owner, opening=Decimal("0")):
        self.number = number
        self.owner = owner
        self._balance = Decimal("0")
        self.state = State.OPEN
        self.ledger = []
        if opening:
            self.deposit(opening)

    @property
    def balance(self):
        return self._balance

    @balance.setter
    def balance(self, value):
        value = Decimal(value).quantize(CENT)
        if value < self.minimum_balance():
            raise InsufficientFunds(self.number, self._balance - value, self.available())
        self._balance = value

    def minimum_balance(self):
        return Decimal("0")

    def available(self):
        return self._balance - self.minimum_balance()

    def _record(self, kind, amount):
        Account._seq += 1
        self.ledger.append(Entry(Account._seq, self.number, kind, amount, self._balance))

    def _check_open(self):
        if self.state is not State.OPEN:
            raise AccountFrozen("account %s is %s" % (self.number, self.state.value))

    @audited("deposit")
    def deposit(self, amount):
        self._check_open()
        amount = Decimal(amount)
        if amount <= 0:
            raise BankError("deposit must be positive, got %s" % amount)
        self.balance = self._balance + amount
        self._record("deposit", amount)
        return self._balance

    @audited("withdraw")
    def withdraw(self, amount):
        self._check_open()
        amount = Decimal(amount)
        if amount <= 0:
            raise BankError("withdrawal must be positive, got %s" % amount)
        self.balance = self._balance - amount
        self._record("withdraw", amount)
        return self._balance

    def month_end(self):
        pass

    def statement(self):
        lines = ["%s (%s, %s) balance %s" % (self.number, self.owner, type(self).__name__,
                                             self._balance)]
        for e in self.ledger[-4:]:
            lines.append("  #%03d %-8s %10s -> %10s" % (e.seq, e.kind, e.amount, e.balance))
        return "\n".join(lines)

    def __repr__(self):
        return "<%s %s %s>" % (type(self).__name__, self.number, self._balance)


class Checking(Account):
    def __init__(self, number, owner, opening=Decimal("0"), overdraft=Decimal("100")):
        self.overdraft = overdraft
        super().__init__(number, owner, opening)

    def minimum_balance(self):
        return -self.overdraft

    def month_end(self):
        if self._balance < 0:
            fee = Decimal("5.00")
            self._balance -= fee
            self._record("fee", fee)


class Savings(Account):
    RATE = Decimal("0.015")
    MAX_WITHDRAWALS = 3

    def __init__(self, number, owner, opening=Decimal("0")):
        self.withdrawals = 0
        super().__init__(number, owner, opening)

    def withdraw(self, amount):
        if self.withdrawals >= self.MAX_WITHDRAWALS:
            raise LimitExceeded("account %s: withdrawal limit %d reached"
                                % (self.number, self.MAX_WITHDRAWALS))
        result = super().withdraw(amount)
        self.withdrawals += 1
        return result

    def month_end(self):
        interest = (self._balance * self.RATE / 12).quantize(CENT, rounding=decimal.ROUND_HALF_EVEN)
        if interest > 0:
            self._balance += interest
            self._record("interest", interest)
        self.withdrawals = 0


class Transaction:
    def __init__(self, bank, description):
        self.bank = bank
        self.description = description
        self.snapshot = None

    def __enter__(self):
        self.snapshot = {n: (a._balance, len(a.ledger), getattr(a, "withdrawals", None))
                         for n, a in self.bank.accounts.items()}
        return self

    def __exit__(self, et, e, tb):
        if et is None:
            self.bank.log.append("commit: %s" % self.description)
            return False
        for n, (bal, ledger_len, wd) in self.snapshot.items():
            acct = self.bank.accounts[n]
            acct._balance = bal
            del acct.ledger[ledger_len:]
            if wd is not None:
                acct.withdrawals = wd
        self.bank.log.append("rollback: %s (%s)" % (self.description, et.__name__))
        return False


class Bank:
    def __init__(self):
        self.accounts = {}
        self.log = []

    def open(self, cls, number, owner, *args):
        if number in self.accounts:
            raise BankError("duplicate account %s" % number)
        acct = cls(number, owner, *args)
        self.accounts[number] = acct
        return acct

    def transfer(self, src, dst, amount):
        with Transaction(self, "transfer %s %s->%s" % (amount, src, dst)):
            self.accounts[src].withdraw(amount)
            self.accounts[dst].deposit(amount)

    def total(self):
        return sum((a.balance for a in self.accounts.values()), Decimal("0"))


def simulate():
    bank = Bank()
    bank.open(Checking, "C-1", "ann", Decimal("250.00"))
    bank.open(Checking, "C-2", "bob", Decimal("40.00"), Decimal("50"))
    bank.open(Savings, "S-1", "ann", Decimal("1000.00"))
    bank.open(Savings, "S-2", "cid", Decimal("15.50"))
    rng = random.Random(2024)
    numbers = sorted(bank.accounts)
    outcomes = {"ok": 0}
    for step in range(60):
        src, dst = rng.sample(numbers, 2)
        amount = Decimal(rng.randint(1, 40000)) / 100
        try:
            bank.transfer(src, dst, amount)
            outcomes["ok"] += 1
        except BankError as e:
            outcomes[type(e).__name__] = outcomes.get(type(e).__name__, 0) + 1
        except KeyError as e:
            outcomes["KeyError"] = outcomes.get("KeyError", 0) + 1
        if step % 20 == 19:
            for acct in bank.accounts.values():
                acct.month_end()
    bank.accounts["S-2"].state = State.FROZEN
    try:
        bank.transfer("C-1", "S-2", Decimal("1"))
    except AccountFrozen as e:
        outcomes["frozen message"] = str(e)
    try:
        bank.open(Savings, "S-1", "dup")
    except BankError as e:
        outcomes["duplicate"] = str(e)
    try:
        bank.accounts["C-1"].deposit(Decimal("-5"))
    except BankError as e:
        outcomes["negative"] = str(e)
    return bank, outcomes


bank, outcomes = simulate()
print(sorted(outcomes.items()))
for number in sorted(bank.accounts):
    print(bank.accounts[number].statement())
print("total", bank.total(), "log entries", len(bank.log), bank.log[:3])
print("audit", len(AUDIT), AUDIT[:4])
print(sorted(bank.accounts.values(), key=lambda a: a.balance))
entry = bank.accounts["C-1"].ledger[0]
print(entry, dataclasses.asdict(entry)["kind"])
try:
    entry.amount = Decimal("0")
except dataclasses.FrozenInstanceError as e:
    print("frozen dataclass:", e)
bank.accounts["S-2"].state = State.OPEN
poor = bank.open(Checking, "C-9", "dan", Decimal("10"), Decimal("0"))
poor.withdraw(Decimal("10.01"))
