import torch

from bindscope.data import augment


def test_reverse_complement_and_shift_keep_sequence_and_labels_aligned():
    gen = torch.Generator().manual_seed(0)
    codes = torch.randint(0, 4, (64, 30), generator=gen)
    x = torch.nn.functional.one_hot(codes, 4).permute(0, 2, 1).float()
    y_base = (torch.arange(30) >= 20).float().repeat(64, 1)
    xa, ya = augment(x, y_base, 30, 3, gen)
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


def test_windows_are_cropped_from_their_flanks_at_every_shift_up_to_the_maximum():
    gen = torch.Generator().manual_seed(1)
    flank, window, n = 6, 20, 400
    codes = torch.randint(0, 4, (n, window + 2 * flank), generator=gen)
    wide = torch.nn.functional.one_hot(codes, 4).permute(0, 2, 1).float()
    labels = torch.rand(n, window + 2 * flank, generator=gen).round()
    xa, ya = augment(wide, labels, window, 4, gen, reverse_complement=False)
    assert xa.shape == (n, 4, window) and ya.shape == (n, window)
    assert torch.equal(xa.sum(1), torch.ones(n, window))  # genome sequence, no N shifted in
    shifts = []
    for i in range(n):
        offset = next(o for o in range(2 * flank + 1) if torch.equal(wide[i, :, o : o + window], xa[i]))
        assert torch.equal(labels[i, offset : offset + window], ya[i])
        shifts.append(offset - flank)
    assert set(shifts) == set(range(-4, 5))  # every shift up to max_shift, none beyond


def test_a_shift_beyond_the_flanks_brings_in_unknown_bases():
    gen = torch.Generator().manual_seed(2)
    wide = torch.ones(200, 4, 24)  # windows of 20 with 2 bp flanks, shifts up to 5
    xa, ya = augment(wide, torch.ones(200, 24), 20, 5, gen, reverse_complement=False)
    unknown = (xa.sum(1) == 0).sum(1)  # N columns at the window's edge
    assert unknown.max() == 3 and unknown.min() == 0
    assert torch.equal(ya == 0, xa.sum(1) == 0)


def test_no_augmentation_when_disabled():
    gen = torch.Generator().manual_seed(0)
    x = torch.rand(5, 4, 20)
    xa, _ = augment(x, torch.zeros(5, 20), 20, 0, gen, reverse_complement=False)
    torch.testing.assert_close(xa, x)


def test_batch_loader_draws_the_batches_and_seeds_of_a_shuffled_dataloader():
    from torch.utils.data import DataLoader, TensorDataset

    from bindscope.data import batch_loader

    dataset = TensorDataset(torch.arange(100)[:, None].repeat(1, 3), torch.arange(100).float())
    ours = list(batch_loader(dataset, 16, torch.Generator().manual_seed(3)))
    theirs = list(DataLoader(dataset, batch_size=16, shuffle=True, generator=torch.Generator().manual_seed(3)))
    assert len(ours) == len(theirs) == 7
    for a, b in zip(ours, theirs, strict=True):
        assert all(torch.equal(u, v) for u, v in zip(a, b, strict=True))
    in_order = torch.cat([b[1] for b in batch_loader(dataset, 16)])
    assert torch.equal(in_order, torch.arange(100).float())


def test_load_split_keeps_bases_uint8_until_a_batch_is_made(tmp_path):
    import numpy as np

    from bindscope.data import EncodedDataModule, load_split
    from bindscope.io import save_encoded

    x = np.eye(4, dtype=np.uint8)[np.zeros((6, 20), int)].transpose(0, 2, 1).copy()
    save_encoded(tmp_path / "s.npz", x=x, y=np.ones(6, np.uint8), y_base=np.ones((6, 20), np.uint8))
    dataset = load_split(str(tmp_path / "s.npz"))
    assert dataset.tensors[0].dtype == dataset.tensors[2].dtype == torch.uint8
    data = EncodedDataModule(str(tmp_path / "s.npz"), str(tmp_path / "s.npz"), batch_size=4)
    data.setup()
    xb, yb, y_base = data.on_after_batch_transfer(next(iter(data.val_dataloader())), 0)
    assert xb.dtype == yb.dtype == y_base.dtype == torch.float32 and xb.shape == (6, 4, 20)


def test_a_training_split_with_flanks_loads_wide_and_trains_on_windows(tmp_path):
    import numpy as np

    from bindscope.data import EncodedDataModule
    from bindscope.io import save_encoded

    rng = np.random.default_rng(0)
    one_hot = lambda codes: np.eye(4, dtype=np.uint8)[codes].transpose(0, 2, 1).copy()  # noqa: E731
    codes = rng.integers(0, 4, (8, 30))
    arrays = {"x": one_hot(codes[:, 5:25]), "y": np.ones(8, np.uint8), "y_base": np.ones((8, 20), np.uint8)}
    flanks = {"x_left": one_hot(codes[:, :5]), "x_right": one_hot(codes[:, 25:])}
    flanks |= {"y_base_left": np.zeros((8, 5), np.uint8), "y_base_right": np.zeros((8, 5), np.uint8)}
    save_encoded(tmp_path / "train.npz", **arrays, **flanks)
    save_encoded(tmp_path / "val.npz", **arrays)
    data = EncodedDataModule(str(tmp_path / "train.npz"), str(tmp_path / "val.npz"), batch_size=8, max_shift=5)
    data.setup()
    assert data.window == 20 and data.datasets["train"].tensors[0].shape == (8, 4, 30)
    assert np.array_equal(data.datasets["train"].tensors[0].numpy(), one_hot(codes))

    class Training:  # what on_after_batch_transfer asks of the trainer
        training = True

    data.trainer = Training()
    xb, _, y_base = data.on_after_batch_transfer(next(iter(data.train_dataloader())), 0)
    assert xb.shape == (8, 4, 20) and y_base.shape == (8, 20)
    assert (y_base.sum(1) < 20).any()  # some windows shifted into the unlabelled flanks
