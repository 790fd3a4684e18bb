package org.maect.examples.pipeline;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import org.maect.core.data.Datasets;
import org.maect.core.data.ImageDataset;
import org.maect.core.data.Split;
import org.maect.core.io.Npy;

/** The pipeline's pictures, written to {@code DIR/figures/} from the stages' outputs (no training needed). */
public final class Figures {
  public static final String DIR = "figures";

  private Figures() {}

  /** Writes every figure the finished stages allow; returns the files written. */
  public static List<Path> writeAll(Path out, PipelinePreset p, Path dataDir) throws IOException {
    System.setProperty("java.awt.headless", "true");
    Path dir = Files.createDirectories(out.resolve(DIR));
    List<Path> written = new ArrayList<>();
    Path rec = out.resolve(Pipeline.MAE).resolve("reconstructions.png");
    if (Files.isRegularFile(rec)) {
      Path f = dir.resolve("mae-reconstructions.png");
      Files.copy(rec, f, StandardCopyOption.REPLACE_EXISTING);
      written.add(f);
    }
    written.add(LossCurves.write(dir.resolve("loss-curves.png"), List.of(
        new LossCurves.Stage("stage 1: MAE (norm-pix MSE)", out.resolve(Pipeline.MAE).resolve("metrics.jsonl")),
        new LossCurves.Stage("stage 2: head init (NNCLR)", out.resolve(Pipeline.HEAD_INIT).resolve("metrics.jsonl")),
        new LossCurves.Stage("stage 3: contrastive tuning", out.resolve(Pipeline.TUNE).resolve("metrics.jsonl")))));
    Path maeEval = out.resolve(Pipeline.EVAL_MAE);
    Path ctEval = out.resolve(Pipeline.EVAL_MAECT);
    if (Files.isRegularFile(maeEval.resolve(Pipeline.DONE)) && Files.isRegularFile(ctEval.resolve(Pipeline.DONE))) {
      ImageDataset train = Datasets.load(p.dataset(), Split.TRAIN, dataDir);
      ImageDataset test = Datasets.load(p.dataset(), Split.TEST, dataDir);
      List<Retrieval.Panel> panels = List.of(
          new Retrieval.Panel("MAE", Npy.readMatrix(maeEval.resolve("train-features.npy")),
              Npy.readMatrix(maeEval.resolve("test-features.npy"))),
          new Retrieval.Panel("MAE-CT", Npy.readMatrix(ctEval.resolve("train-features.npy")),
              Npy.readMatrix(ctEval.resolve("test-features.npy"))));
      written.add(Retrieval.write(dir.resolve("retrieval.png"), train, test, panels, 8));
      String[] names = test.classNames().toArray(new String[0]);
      List<EmbeddingFigures.Encoder> encs = List.of(new EmbeddingFigures.Encoder("MAE", maeEval),
          new EmbeddingFigures.Encoder("MAE-CT", ctEval));
      Path cm = EmbeddingFigures.confusion(dir.resolve("kmeans-confusion.png"), encs, names);
      if (cm != null) written.add(cm);
      if (p.tsnePoints() >= 10) {
        written.add(EmbeddingFigures.tsne(dir.resolve("tsne.png"), encs, names, p.tsnePoints(), p.seed()));
      }
    }
    return written;
  }
}
