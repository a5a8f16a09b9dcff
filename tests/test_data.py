import torch

from bindscope.data import augment


def test_reverse_complement_and_shift_keep_sequence_and_labels_aligned():
    gen = torch.Generator().manual_seed(0)
    codes = torch.randint(0, 4, (64, 30), generator=gen)
    x = torch.nn.functional.one_hot(codes, 4).permute(0, 2, 1).float()
    y_base = (torch.arange(30) >= 20).float().repeat(64, 1)
    xa, ya = augment(x, y_base, 3, gen)
    assert xa.shape == x.shape and ya.shape == y_base.shape
    assert set(xa.sum(1).unique().tolist()) <= {0.0, 1.0}  # one-hot or shifted-in N
    flipped = 0
    for i in range(64):
        for is_rc, (cand_x, cand_y) in enumerate(((x[i], y_base[i]), (x[i].flip(0, 1), y_base[i].flip(0)))):
            for s in range(-3, 4):
                sx = torch.roll(cand_x, s, 1)
                sy = torch.roll(cand_y, s, 0)
                lo, hi = max(s, 0), 30 + min(s, 0)
                if torch.equal(sx[:, lo:hi], xa[i][:, lo:hi]) and torch.equal(sy[lo:hi], ya[i][lo:hi]):
                    flipped += is_rc
                    break
            else:
                continue
            break
        else:
            raise AssertionError(f"sequence {i} is not a shifted (reverse complement of the) original")
    assert 10 < flipped < 54  # about half are reverse complemented


def test_no_augmentation_when_disabled():
    gen = torch.Generator().manual_seed(0)
    x = torch.rand(5, 4, 20)
    xa, _ = augment(x, torch.zeros(5, 20), 0, gen, reverse_complement=False)
    torch.testing.assert_close(xa, x)
