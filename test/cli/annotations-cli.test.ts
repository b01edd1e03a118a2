import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { registerSource } from '../../src-main/core/extraction/extraction-plan';
import { ProjectStore } from '../../src-main/core/project/project-store';
import { writeTestSlide } from '../helpers/embedding-fixtures';
import { runHisto } from '../helpers/run-cli';
import { useTempDir } from '../helpers/temp-dir';

const tempDir = useTempDir();

describe('histo annotations', () => {
  it('imports ImageScope XML, exports GeoJSON, imports that into another task, and refuses a bad file in one line', async () => {
    const dir = tempDir();
    const slide = await writeTestSlide(dir); // 512 x 384
    const project = path.join(dir, 'p.histo');
    const store = ProjectStore.create(project);
    const registered = await registerSource(store, { kind: 'slide', path: slide }, { tileSize: 64, level: 0, minTissue: 0 });
    await registered.source.close();
    store.close();
    for (const task of ['tissue', 'copy']) expect(runHisto(['task', 'create', task, '--classes', 'tumour,stroma', '--project', project]).code).toBe(0);

    const xml = path.join(dir, 'slide.xml');
    fs.writeFileSync(xml, '<Annotations><Annotation Name="tumour"><Regions><Region Type="1"><Vertices><Vertex X="0" Y="0"/><Vertex X="128" Y="128"/></Vertices></Region></Regions></Annotation></Annotations>');
    const imported = runHisto(['annotations', 'import', xml, '--project', project, '--task', 'tissue', '--slide', path.basename(slide), '--json']);
    expect(imported.code, imported.stderr).toBe(0);
    expect(JSON.parse(imported.stdout)).toMatchObject({ annotations: 1, labelled: 4, perClass: { tumour: 4 } });

    const out = path.join(dir, 'out.geojson');
    const exported = runHisto(['annotations', 'export', out, '--project', project, '--task', 'tissue', '--slide', '1', '--json']);
    expect(exported.code, exported.stderr).toBe(0);
    expect(JSON.parse(exported.stdout)).toMatchObject({ annotations: 1 });
    const again = runHisto(['annotations', 'import', out, '--project', project, '--task', 'copy', '--slide', slide]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain('Imported 1 annotations');
    expect(again.stdout).toContain('4 tiles labelled (tumour 4)');

    fs.writeFileSync(xml, '<!DOCTYPE x [<!ENTITY a "aaaa">]><Annotations/>');
    const refused = runHisto(['annotations', 'import', xml, '--project', project, '--task', 'tissue', '--slide', '1']);
    expect(refused.code).toBe(1);
    expect(refused.stderr.trim().split('\n')).toHaveLength(1);
    expect(refused.stderr).toContain(`${xml}: line 1: DOCTYPE, ENTITY and CDATA are not allowed`);
    const unknownSlide = runHisto(['annotations', 'import', xml, '--project', project, '--task', 'tissue', '--slide', 'nowhere.svs']);
    expect(unknownSlide.code).toBe(2);
    expect(unknownSlide.stderr).toContain('--slide: nowhere.svs is not a slide of this project');
  });
});
