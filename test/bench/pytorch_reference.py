"""Native reference for `npm run bench`: one SGD training step of the bench's dense models in PyTorch.

Reads a JSON request on stdin: {"threads": N, "cases": [{"model", "batch", "steps", "warmup"}]}.
Prints one JSON object per case: {"model", "batch", "msPerStep", "threads", "torch"}; msPerStep is
the fastest of three rounds' median step times, as the bench takes the fastest of its own rounds
(other jobs on a shared machine only ever add time). The models mirror src-shared/models (LeNet-300-100, the Caffe
LeNet-5 with 20/50 filters and 500 hidden units, the classic LeNet-5 with 6/16 filters and 120/84 hidden
units, pre-activation WRN-d-k with dropout 0.3), trained
with SGD, Nesterov momentum 0.9 and weight decay 5e-4, as the bench trains ours.
"""
import json
import statistics
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


def mlp():
    return nn.Sequential(nn.Flatten(), nn.Linear(784, 300), nn.ReLU(), nn.Linear(300, 100), nn.ReLU(), nn.Linear(100, 10))


def lenet5():
    return nn.Sequential(
        nn.Conv2d(1, 20, 5), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(20, 50, 5), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(800, 500), nn.ReLU(), nn.Linear(500, 10),
    )


def lenet5_classic():
    return nn.Sequential(
        nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(400, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10),
    )


class Block(nn.Module):
    """Pre-activation basic block; the shortcut convolution (where shapes change) reads the pre-activated input."""

    def __init__(self, cin, cout, stride, dropout):
        super().__init__()
        self.bn1 = nn.BatchNorm2d(cin)
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.dropout = dropout
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.shortcut = nn.Conv2d(cin, cout, 1, stride, bias=False) if cin != cout or stride != 1 else None

    def forward(self, x):
        pre = F.relu(self.bn1(x))
        y = F.dropout(F.relu(self.bn2(self.conv1(pre))), self.dropout, self.training)
        y = self.conv2(y)
        return y + (self.shortcut(pre) if self.shortcut is not None else x)


class WideResNet(nn.Module):
    def __init__(self, depth, width, dropout=0.3, classes=10):
        super().__init__()
        blocks = (depth - 4) // 6
        layers = []
        cin = 16
        for group, cout in enumerate([16 * width, 32 * width, 64 * width]):
            for b in range(blocks):
                layers.append(Block(cin, cout, 2 if b == 0 and group > 0 else 1, dropout))
                cin = cout
        self.conv1 = nn.Conv2d(3, 16, 3, 1, 1, bias=False)
        self.blocks = nn.Sequential(*layers)
        self.bn = nn.BatchNorm2d(cin)
        self.fc = nn.Linear(cin, classes)

    def forward(self, x):
        x = F.relu(self.bn(self.blocks(self.conv1(x))))
        return self.fc(F.adaptive_avg_pool2d(x, 1).flatten(1))


def build(name):
    if name == "mlp":
        return mlp(), (1, 28, 28)
    if name == "lenet5":
        return lenet5(), (1, 28, 28)
    if name == "lenet5-classic":
        return lenet5_classic(), (1, 28, 28)
    if name.startswith("wrn-"):
        depth, width = (int(p) for p in name[4:].split("-"))
        return WideResNet(depth, width), (3, 32, 32)
    raise SystemExit(f"pytorch_reference.py: unknown model {name!r}")


def time_case(case):
    model, shape = build(case["model"])
    model.train()
    x = torch.randn(case["batch"], *shape)
    y = torch.randint(0, 10, (case["batch"],))
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9, nesterov=True, weight_decay=5e-4)
    def step():
        started = time.perf_counter()
        opt.zero_grad()
        F.cross_entropy(model(x), y).backward()
        opt.step()
        return (time.perf_counter() - started) * 1000

    for _ in range(case["warmup"]):
        step()
    return min(statistics.median(step() for _ in range(case["steps"])) for _ in range(3))


def main():
    request = json.load(sys.stdin)
    torch.set_num_threads(request["threads"])
    torch.manual_seed(0)
    for case in request["cases"]:
        ms = time_case(case)
        print(json.dumps({"model": case["model"], "batch": case["batch"], "msPerStep": ms, "threads": torch.get_num_threads(), "torch": torch.__version__}), flush=True)


main()
