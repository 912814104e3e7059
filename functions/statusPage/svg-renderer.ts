import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

/** Vega-Lite spec -> SVG, headless. Its own module: loaded on the first page drawn, not at a cold start. */
export async function specToSvg(spec: TopLevelSpec): Promise<string> {
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
